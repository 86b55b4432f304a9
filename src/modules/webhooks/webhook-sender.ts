import { Agent as HttpAgent, IncomingMessage, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Injectable } from '@nestjs/common';
import {
  DestinationRefusedError,
  destinationIssue,
  guardedLookup,
  UrlPolicy,
} from '@/modules/webhooks/webhook-url';

export const EXCERPT_CHARS = 1000;
const EXCERPT_BYTES = 4 * EXCERPT_CHARS;

export interface SendResult {
  statusCode: number | null;
  responseExcerpt: string | null;
  error: string | null;
  durationMs: number;
}

/**
 * One HTTP POST (node:http/https, keep-alive connections). The destination is checked before
 * the attempt and again by the connection's own name lookup (guardedLookup), so what is checked
 * is what is called. The timeout covers the whole exchange, answer body included; redirects are
 * not followed (a 3xx is a failure); only the start of the answer is read. Never throws: every
 * outcome is a result to record.
 */
@Injectable()
export class WebhookSender {
  private readonly agents = {
    http: new HttpAgent({ keepAlive: true }),
    https: new HttpsAgent({ keepAlive: true }),
  };

  async send(
    url: string,
    headers: Record<string, string>,
    body: string,
    timeoutMs: number,
    policy: UrlPolicy,
  ): Promise<SendResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    try {
      const refused = destinationIssue(url, policy);
      if (refused) {
        return {
          statusCode: null,
          responseExcerpt: null,
          error: `destination refused: ${refused}`,
          durationMs: elapsed(),
        };
      }
      const res = await post(url, headers, body, {
        agent: url.startsWith('https:') ? this.agents.https : this.agents.http,
        lookup: guardedLookup(policy),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const excerpt = await readExcerpt(res);
      const status = res.statusCode ?? 0;
      const ok = status >= 200 && status < 300;
      return {
        statusCode: status,
        responseExcerpt: excerpt,
        error: ok ? null : `answered ${status}`,
        durationMs: elapsed(),
      };
    } catch (err) {
      return {
        statusCode: null,
        responseExcerpt: null,
        error: describe(err, timeoutMs),
        durationMs: elapsed(),
      };
    }
  }
}

/**
 * Sends the POST and resolves with the answer's head once it arrives (its body unread). A
 * kept-alive connection the receiver closed while it sat idle (most servers drop idle ones after
 * a few seconds) fails with ECONNRESET before any answer; the request is then sent once more on
 * a new connection, as Node's documentation advises, rather than recorded as a failed attempt.
 */
function post(
  url: string,
  headers: Record<string, string>,
  body: string,
  options: { agent: HttpAgent; lookup: ReturnType<typeof guardedLookup>; signal: AbortSignal },
  retried = false,
): Promise<IncomingMessage> {
  const send = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': Buffer.byteLength(body) },
        ...options,
      },
      resolve,
    );
    req.on('error', (err: NodeJS.ErrnoException) => {
      const staleConnection = req.reusedSocket && err.code === 'ECONNRESET';
      if (staleConnection && !retried && !options.signal.aborted) {
        resolve(post(url, headers, body, options, true));
      } else reject(err);
    });
    req.end(body);
  });
}

/** The start of the answer's body; the rest is not read (the connection is then dropped). */
async function readExcerpt(res: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of res) {
      chunks.push(chunk as Buffer);
      size += (chunk as Buffer).length;
      if (size >= EXCERPT_BYTES) break;
    }
  } finally {
    // Breaking out of the loop destroys the answer; a fully read one keeps its connection.
    if (!res.complete) res.destroy();
  }
  const text = Buffer.concat(chunks).toString('utf8').slice(0, EXCERPT_CHARS);
  return text.length > 0 ? text : null;
}

function describe(err: unknown, timeoutMs: number): string {
  if (err instanceof DestinationRefusedError) return `destination refused: ${err.message}`;
  const e = err as {
    name?: string;
    message?: string;
    cause?: { code?: string; message?: string };
  };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError')
    return `timeout after ${timeoutMs} ms`;
  const cause = e?.cause?.code ?? e?.cause?.message;
  return (
    cause ? `${e?.message ?? 'request failed'}: ${cause}` : (e?.message ?? String(err))
  ).slice(0, 500);
}
