import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RequestMethod } from '@nestjs/common';
import type { Params } from 'nestjs-pino';
import { loggableError } from '@/common/errors/all-exceptions.filter';
import { AppConfig } from '@/config/env';

const REQUEST_ID = /^[A-Za-z0-9._-]{8,128}$/;
const ID = Symbol('tandem.requestId');

/**
 * A request's path as logged: no query string (it may carry codes or e-mails), and a path
 * segment that holds an e-mail address (`/v1/advocates/jane@example.com`, a wrong id typed by
 * a client) replaced, since logs never hold e-mails in clear.
 */
export function loggedPath(url: string): string {
  return url
    .split('?')[0]!
    .split('/')
    .map((segment) => (/@|%40/i.test(segment) ? '[redacted]' : segment))
    .join('/');
}

/** One id per request, shared by Fastify (error bodies) and pino (log lines). */
export function requestIdOf(req: IncomingMessage): string {
  const memo = req as IncomingMessage & { [ID]?: string };
  if (memo[ID]) return memo[ID];
  const incoming = req.headers['x-request-id'];
  memo[ID] = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
  return memo[ID];
}

/**
 * Structured logs with a request id on every line. Secrets, raw IPs and e-mails never reach a
 * log: headers are not logged except the user agent, query strings are dropped (they may carry
 * codes or e-mails), and the client address is left out.
 */
export function loggerOptions(config: AppConfig): Params {
  return {
    // The redirect is the hot path: skip the per-request logger entirely (measured ~50 µs).
    exclude: [
      { method: RequestMethod.GET, path: 'r/:slug' },
      { method: RequestMethod.HEAD, path: 'r/:slug' },
    ],
    pinoHttp: {
      level: config.logLevel,
      genReqId: (req: IncomingMessage, res: ServerResponse) => {
        const id = requestIdOf(req);
        res.setHeader('x-request-id', id);
        return id;
      },
      // The redirect is the hot path and health is polled; log their errors only.
      autoLogging: { ignore: (req) => /^\/(r\/|health)/.test(req.url ?? '') },
      customLogLevel: (_req, res, err) =>
        err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
      serializers: {
        req: (req: {
          id: string;
          method: string;
          url: string;
          headers: Record<string, string>;
        }) => ({
          id: req.id,
          method: req.method,
          path: loggedPath(req.url ?? ''),
          userAgent: req.headers?.['user-agent'],
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
        // Every logged error, whoever logs it: a failed query carries its SQL and parameters
        // (e-mails, codes, visitor hashes) as properties; only its class, code and message stay.
        err: (err: unknown) => loggableError(err),
      },
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          '*.email',
          '*.secret',
          '*.apiKey',
          '*.ip',
        ],
        censor: '[redacted]',
      },
    },
  };
}
