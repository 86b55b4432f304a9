import type { HeadersObject } from '@nestjs/swagger';

/** The response headers the document declares (names as the API sends them, any case). */

/** On every answer, set by the onRequest hook in bootstrap.ts (and by the redirect). */
export const REQUEST_ID_HEADER: HeadersObject = {
  'X-Request-Id': {
    description: "The request's id: yours if you sent one, else generated; in the server log too",
    schema: { type: 'string' },
  },
};

/** On every 429 (key-before-body hook, the throttler guard) and the redirect's 503. */
export const RETRY_AFTER_HEADER: HeadersObject = {
  'Retry-After': {
    description: 'Seconds to wait before retrying',
    schema: { type: 'integer', minimum: 0 },
  },
};

/** On the 200 of an idempotent POST answering a retry with the first answer. */
export const IDEMPOTENT_REPLAY_HEADER: HeadersObject = {
  'Idempotent-Replay': {
    description: '`true`: this answer replays the first one (nothing was recorded again)',
    schema: { type: 'string', enum: ['true'] },
  },
};

/** On a file download. */
export function contentDisposition(when?: string): HeadersObject {
  return {
    'Content-Disposition': {
      description: `${when ? `${when}: ` : ''}\`attachment; filename="…"\``,
      schema: { type: 'string' },
    },
  };
}
