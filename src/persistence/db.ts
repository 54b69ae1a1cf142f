// The one database port. Both adapters (a Postgres server through `pg`, embedded PGlite)
// run the same SQL; int8 comes back as a JS number and bytea as a Uint8Array on both.

export interface QueryResult<R> {
  rows: R[];
  rowCount: number;
}

export interface Db {
  readonly kind: 'postgres' | 'pglite';
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<R>>;
  /** Runs statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * Runs `fn` in one transaction: committed if it resolves, rolled back if it throws. Inside,
   * only `tx` may be used: on PGlite (one connection) any other query, such as an event's
   * actor starting, waits for the transaction to end, which waits for it: a deadlock.
   */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
