// One way for the suites to call the server over HTTP: fetch, JSON in and out, a bearer
// token or a cookie, the raw text kept beside the parsed body.

export interface Res {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: reply bodies are checked field by field
  body: any;
}

export interface RequestOptions {
  json?: unknown;
  /** A body sent as it is (with content-type application/json unless `headers` say otherwise). */
  raw?: string;
  token?: string;
  cookie?: string;
  headers?: Record<string, string>;
}

export async function request(
  base: string,
  method: string,
  path: string,
  opts: RequestOptions = {},
): Promise<Res> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.json !== undefined || opts.raw !== undefined) headers['content-type'] ??= 'application/json';
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.cookie) headers.cookie = opts.cookie;
  const r = await fetch(`${base}${path}`, {
    method,
    headers,
    body: opts.raw ?? (opts.json === undefined ? undefined : JSON.stringify(opts.json)),
  });
  const text = await r.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: r.status, headers: r.headers, text, body };
}
