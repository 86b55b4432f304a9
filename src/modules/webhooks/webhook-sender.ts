import { Injectable } from '@nestjs/common';
import { destinationIssue, UrlPolicy } from '@/modules/webhooks/webhook-url';

export const EXCERPT_CHARS = 1000;
const EXCERPT_BYTES = 4 * EXCERPT_CHARS;

export interface SendResult {
  statusCode: number | null;
  responseExcerpt: string | null;
  error: string | null;
  durationMs: number;
}

/**
 * One HTTP POST with Node's fetch (undici, keep-alive connections). The timeout covers the
 * whole exchange, answer body included; redirects are not followed (a 3xx is a failure); only
 * the start of the answer is read. Never throws: every outcome is a result to record.
 */
@Injectable()
export class WebhookSender {
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
      const refused = await destinationIssue(url, policy);
      if (refused) {
        return {
          statusCode: null,
          responseExcerpt: null,
          error: `destination refused: ${refused}`,
          durationMs: elapsed(),
        };
      }
      const res = await fetch(url, {
        method: 'POST',
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      const excerpt = await readExcerpt(res);
      const ok = res.status >= 200 && res.status < 300;
      return {
        statusCode: res.status,
        responseExcerpt: excerpt,
        error: ok ? null : `answered ${res.status}`,
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

async function readExcerpt(res: Response): Promise<string | null> {
  if (!res.body) return null;
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < EXCERPT_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  const text = Buffer.concat(chunks).toString('utf8').slice(0, EXCERPT_CHARS);
  return text.length > 0 ? text : null;
}

function describe(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError')
    return `timeout after ${timeoutMs} ms`;
  const cause = e?.cause?.code ?? e?.cause?.message;
  return (
    cause ? `${e?.message ?? 'request failed'}: ${cause}` : (e?.message ?? String(err))
  ).slice(0, 500);
}
