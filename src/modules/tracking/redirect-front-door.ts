import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { all as proxyAddresses } from '@fastify/proxy-addr';
import { requestIdOf } from '@/common/logging/logger.options';
import { RedirectController, sendUnavailable } from '@/modules/tracking/redirect.controller';

// GET|HEAD /r/<slug>, an optional trailing slash (the API ignores it too) and any query. Other
// slugs (percent-encoded, too long…) go through Fastify's route, which answers the same 404, or
// for what Fastify's router refuses itself (a malformed %-encoding), through frameworkErrors.
const REDIRECT_PATH = /^\/r\/([A-Za-z0-9_-]{1,64})\/?(?:\?.*)?$/;
const trustEveryProxy = () => true;

/**
 * Answers tracked-link redirects in the HTTP server's request listener, before Fastify: the
 * redirect needs none of Fastify's request and reply objects, routing or hooks (nor Nest's
 * middleware, guards and pipes), and skipping them was a measured share of each redirect's cost.
 * Everything else, and every request once the app has begun to close (Fastify answers those
 * 503 and closes the connection), goes to Fastify's own listener unchanged.
 *
 * Call it once the app is initialised, before it listens.
 */
export function installRedirectFrontDoor(
  server: Server,
  controller: RedirectController,
  isClosing: () => boolean,
): void {
  const listeners = server.listeners('request') as ((
    req: IncomingMessage,
    res: ServerResponse,
  ) => void)[];
  if (listeners.length !== 1) {
    throw new Error(`expected one request listener (Fastify's), found ${listeners.length}`);
  }
  const fastify = listeners[0]!;
  server.removeListener('request', fastify);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const match =
      req.method === 'GET' || req.method === 'HEAD' ? REDIRECT_PATH.exec(req.url ?? '') : null;
    if (match === null || isClosing()) {
      fastify(req, res);
      return;
    }
    const request = {
      method: req.method!,
      ip: clientAddress(req),
      userAgent: req.headers['user-agent'],
      referer: req.headers.referer,
      requestId: requestIdOf(req),
    };
    try {
      void controller.respond(match[1]!, request, res);
    } catch {
      sendUnavailable(res, request);
    }
  });
}

/**
 * The client address as Fastify's `request.ip` gives it with `trustProxy: true` (the same
 * library and rule): the left-most X-Forwarded-For entry, else the socket's peer.
 */
export function clientAddress(req: IncomingMessage): string {
  const addresses = proxyAddresses(req, trustEveryProxy);
  return addresses[addresses.length - 1] ?? '';
}
