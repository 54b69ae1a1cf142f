import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

// A real SMTP peer on a free local port (smtp-server), answering the first `failFirst`
// messages (or every one) with `failCode`, and keeping what it accepted.

export interface Received {
  mailFrom: string;
  rcptTo: string[];
  raw: Buffer;
}

export interface LocalSmtp {
  url: string;
  /** Messages accepted. */
  received: Received[];
  /** Times (ms) at which each message's DATA ended, accepted or not. */
  attempts: number[];
  close(): Promise<void>;
}

export async function startSmtp(opts: { failFirst?: number; failCode?: number } = {}): Promise<LocalSmtp> {
  const received: Received[] = [];
  const attempts: number[] = [];
  const failFirst = opts.failFirst ?? 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        attempts.push(performance.now());
        if (attempts.length <= failFirst) {
          const code = opts.failCode ?? 451;
          const err = Object.assign(new Error(code >= 500 ? 'no such mailbox' : 'busy, try again later'), {
            responseCode: code,
          });
          callback(err);
          return;
        }
        const from = session.envelope.mailFrom;
        received.push({
          mailFrom: from ? from.address : '',
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    attempts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
