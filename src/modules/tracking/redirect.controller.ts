import { Controller, Get, Logger, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '@/common/auth/scopes.decorator';
import { RETRY_AFTER_HEADER } from '@/common/openapi/headers';
import { NOT_FOUND_PAGE, UNAVAILABLE_PAGE } from '@/modules/tracking/redirect-pages';
import { RedirectAnswer, RedirectService } from '@/modules/tracking/redirect.service';
import type { CachedLink } from '@/modules/tracking/link-cache';

const NOT_FOUND_PAGE_BYTES = String(Buffer.byteLength(NOT_FOUND_PAGE));
const UNAVAILABLE_PAGE_BYTES = String(Buffer.byteLength(UNAVAILABLE_PAGE));

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
  @ApiParam({ name: 'slug', type: String, example: 'aZ3kP9qL2x' })
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
    content: { 'text/html': { schema: { type: 'string' } } },
  })
  @ApiResponse({
    status: 503,
    description: 'The link could not be looked up (database unavailable): a small HTML page',
    headers: RETRY_AFTER_HEADER,
    content: { 'text/html': { schema: { type: 'string' } } },
  })
  redirect(@Req() request: FastifyRequest, @Res() reply: FastifyReply): void | Promise<void> {
    // Reached only by what the front door passes on (see redirect-front-door.ts): slugs it
    // does not take, e.g. percent-encoded ones, which answer the not-found page (find() looks
    // up only what can be a slug). Read from the request, not through @Param: the global pipe
    // would answer a NUL (%00) with a JSON 400, and a friend's browser gets pages.
    reply.hijack();
    return this.respond(
      (request.params as { slug?: string }).slug ?? '',
      {
        method: request.method,
        ip: request.ip,
        userAgent: request.headers['user-agent'],
        referer: request.headers.referer,
        requestId: request.id,
      },
      reply.raw,
    );
  }

  /**
   * The hot path: synchronous on a warm cache (no promise is made), a database lookup on a
   * miss. Answers straight on the socket: a redirect has no body to serialise and no hook to
   * run. Never throws, nor rejects: a failed lookup or answer is a 503 page.
   */
  respond(slug: string, request: RedirectRequest, res: ServerResponse): void | Promise<void> {
    const now = Date.now();
    const link = this.redirects.find(slug, now);
    if (!(link instanceof Promise)) return this.deliver(link, request, res, now);
    return link.then(
      (loaded) => this.deliver(loaded, request, res, Date.now()),
      (err: unknown) => {
        this.logger.error({ err, requestId: request.requestId }, 'link lookup failed');
        sendUnavailable(res, request);
      },
    );
  }

  private deliver(
    link: CachedLink | null,
    request: RedirectRequest,
    res: ServerResponse,
    now: number,
  ): void {
    try {
      send(res, request, this.answer(link, request, now));
    } catch (err) {
      // e.g. a Location Node's HTTP server refuses: this friend gets a page, the process lives
      this.logger.error(
        { err, requestId: request.requestId, linkId: link?.linkId },
        'redirect failed',
      );
      sendUnavailable(res, request);
    }
  }

  private answer(link: CachedLink | null, request: RedirectRequest, now: number): RedirectAnswer {
    return this.redirects.answer(
      link,
      {
        counted: request.method === 'GET',
        ip: request.ip,
        userAgent: request.userAgent,
        referer: request.referer,
      },
      now,
    );
  }
}

/** What the redirect reads of a request, from Fastify's request or from the raw one. */
export interface RedirectRequest {
  method: string;
  /** The client address (X-Forwarded-For trusted, as the API does). */
  ip: string;
  userAgent: string | undefined;
  referer: string | undefined;
  requestId: string;
}

function send(res: ServerResponse, request: RedirectRequest, answer: RedirectAnswer): void {
  if (answer.kind === 'not_found') {
    sendNotFound(res, request);
    return;
  }
  res.writeHead(302, {
    'cache-control': 'no-store',
    location: answer.location,
    'content-length': '0',
    'x-request-id': request.requestId,
  });
  res.end();
}

/**
 * The unknown-link page (404): also what a friend's browser gets for a link URL Fastify refuses
 * before any route (a malformed percent-encoding, a slug too long; see bootstrap.ts).
 */
export function sendNotFound(res: ServerResponse, request: { requestId: string }): void {
  res.writeHead(404, {
    'cache-control': 'no-store',
    'content-type': 'text/html; charset=utf-8',
    'content-length': NOT_FOUND_PAGE_BYTES,
    'x-request-id': request.requestId,
  });
  res.end(NOT_FOUND_PAGE);
}

/** 503 with a small page, unless an answer has already started (then the socket just ends). */
export function sendUnavailable(res: ServerResponse, request: { requestId: string }): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(503, {
    'cache-control': 'no-store',
    'retry-after': '5',
    'content-type': 'text/html; charset=utf-8',
    'content-length': UNAVAILABLE_PAGE_BYTES,
    'x-request-id': request.requestId,
  });
  res.end(UNAVAILABLE_PAGE);
}
