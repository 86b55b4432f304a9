import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  json: any;
  at: number;
}

export interface Reply {
  status: number;
  body?: string;
  /** Answer only after this long (timeouts). */
  delayMs?: number;
}

/**
 * A real HTTP server in the test process that webhook endpoints point at: it records every
 * request and answers what `reply` says (200 by default).
 */
export class TestReceiver {
  readonly received: Received[] = [];
  reply: (req: Received, index: number) => Reply = () => ({ status: 200, body: 'ok' });
  url = '';
  private readonly server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const entry: Received = { headers: req.headers, body, json: safeJson(body), at: Date.now() };
      const index = this.received.push(entry) - 1;
      const reply = this.reply(entry, index);
      const send = () => {
        if (!res.destroyed) res.writeHead(reply.status).end(reply.body ?? '');
      };
      if (reply.delayMs) setTimeout(send, reply.delayMs).unref();
      else send();
    });
  });

  static async start(path = '/hooks'): Promise<TestReceiver> {
    const receiver = new TestReceiver();
    receiver.server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    const { port } = receiver.server.address() as AddressInfo;
    receiver.url = `http://127.0.0.1:${port}${path}`;
    return receiver;
  }

  /** Requests of one event type (or all). */
  ofType(type?: string): Received[] {
    return this.received.filter((r) => !type || r.json?.type === type);
  }

  async waitFor(
    predicate: (received: Received[]) => boolean,
    what: string,
    timeoutMs = 15_000,
  ): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!predicate(this.received)) {
      if (Date.now() > until) {
        throw new Error(
          `timed out waiting for ${what}; received: ${JSON.stringify(this.received.map((r) => [r.json?.type, r.headers['tandem-attempt']]))}`,
        );
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function safeJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `check` returns a truthy value. */
export async function eventually<T>(
  check: () => Promise<T | undefined | null | false>,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}
