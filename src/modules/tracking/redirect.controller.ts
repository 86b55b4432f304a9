import { Controller, Get, Logger, Param, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '@/common/auth/scopes.decorator';
import { NOT_FOUND_PAGE, UNAVAILABLE_PAGE } from '@/modules/tracking/redirect-pages';
import { RedirectAnswer, RedirectService } from '@/modules/tracking/redirect.service';
import type { CachedLink } from '@/modules/tracking/link-cache';

const NOT_FOUND_PAGE_BYTES = String(Buffer.byteLength(NOT_FOUND_PAGE));

@ApiTags('Public')
@Controller('r')
export class RedirectController {
  private readonly logger = new Logger(RedirectController.name);

  constructor(private readonly redirects: RedirectService) {}

  @Get(':slug')
  @Public()
  @SkipThrottle()
  @ApiOperation({
    summary: 'Follow a tracked referral link (no API key; HEAD works too)',
    description:
      "302 to the landing URL of the link's CTA (else the program's) with `ref`, `tclid` (signed click id) and " +
      "`utm_source`/`utm_medium`/`utm_campaign`/`utm_content`; the landing URL's own query is kept. A paused, " +
      'draft or ended program, or a paused or banned advocate, redirects to the plain landing URL and counts ' +
      'nothing. Bots are redirected but not counted. HEAD answers the same without counting a click.',
  })
  @ApiParam({ name: 'slug', example: 'aZ3kP9qL2x' })
  @ApiResponse({
    status: 302,
    description: 'Redirect to the landing URL',
    headers: {
      Location: {
        description: 'The landing URL with tracking parameters',
        schema: { type: 'string' },
      },
    },
  })
  @ApiResponse({
    status: 404,
    description: 'Unknown link: a small HTML page',
    content: { 'text/html': {} },
  })
  redirect(
    @Param('slug') slug: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): void | Promise<void> {
    return this.handle(slug, request, reply);
  }

  /**
   * The hot path, also called straight from a Fastify onRequest hook (registerRedirectFastPath)
   * so a redirect skips Nest's middleware, guards and pipes (~100 µs per request). It needs
   * none of them: it is public, unthrottled and writes nothing synchronously.
   */
  handle(slug: string, request: FastifyRequest, reply: FastifyReply): void | Promise<void> {
    const now = Date.now();
    const link = this.redirects.find(slug, now);
    if (!(link instanceof Promise))
      return this.send(request, reply, this.answer(link, request, now));
    return link.then(
      (loaded) => this.send(request, reply, this.answer(loaded, request, Date.now())),
      (err: unknown) => {
        this.logger.error({ err }, 'link lookup failed');
        void reply
          .status(503)
          .header('cache-control', 'no-store')
          .header('retry-after', '5')
          .type('text/html; charset=utf-8')
          .send(UNAVAILABLE_PAGE);
      },
    );
  }

  private answer(link: CachedLink | null, request: FastifyRequest, now: number): RedirectAnswer {
    return this.redirects.answer(
      link,
      {
        counted: request.method === 'GET',
        ip: request.ip,
        userAgent: request.headers['user-agent'],
        referer: request.headers.referer,
      },
      now,
    );
  }

  /**
   * Written straight to the socket (the reply is hijacked): a redirect has no body to serialise
   * and no onSend/onResponse hook to run, and Fastify's reply pipeline was a measurable share of
   * the cost of a redirect.
   */
  private send(request: FastifyRequest, reply: FastifyReply, answer: RedirectAnswer): void {
    reply.hijack();
    if (answer.kind === 'not_found') {
      reply.raw.writeHead(404, {
        'cache-control': 'no-store',
        'content-type': 'text/html; charset=utf-8',
        'content-length': NOT_FOUND_PAGE_BYTES,
        'x-request-id': request.id,
      });
      reply.raw.end(NOT_FOUND_PAGE);
      return;
    }
    reply.raw.writeHead(302, {
      'cache-control': 'no-store',
      location: answer.location,
      'content-length': '0',
      'x-request-id': request.id,
    });
    reply.raw.end();
  }
}

const REDIRECT_ROUTE = '/r/:slug';

type OnRequestHook = (req: FastifyRequest, reply: FastifyReply, done: () => void) => void;

/**
 * Answers GET/HEAD /r/:slug from the first onRequest hook, before Nest's pipeline (middleware,
 * guards, pipes) and before every other hook: call it on the adapter's Fastify instance before
 * NestFactory.create registers its own hooks, then bind the controller once the app exists.
 * Every other request goes on as usual.
 */
export function registerRedirectFastPath(fastify: {
  addHook: (name: 'onRequest', hook: OnRequestHook) => unknown;
}): (controller: RedirectController) => void {
  let controller: RedirectController | undefined;
  const fail = (reply: FastifyReply) => () => {
    if (!reply.raw.headersSent) {
      reply.raw.writeHead(503, { 'retry-after': '5', 'cache-control': 'no-store' });
      reply.raw.end();
    }
  };
  fastify.addHook('onRequest', (request, reply, done) => {
    if (
      controller === undefined ||
      request.routeOptions.url !== REDIRECT_ROUTE ||
      (request.method !== 'GET' && request.method !== 'HEAD')
    ) {
      done();
      return;
    }
    const slug = (request.params as { slug?: string }).slug ?? '';
    try {
      // Synchronous on a warm cache: no promise is made on the hot path.
      const pending = controller.handle(slug, request, reply);
      if (pending) pending.catch(fail(reply));
    } catch {
      fail(reply)();
    }
  });
  return (bound) => {
    controller = bound;
  };
}
