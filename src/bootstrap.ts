import 'reflect-metadata';
import type { IncomingMessage } from 'node:http';
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import {
  documentDeclaredInputErrors,
  documentServerErrors,
} from '@/common/errors/declared-input-errors';
import { Logger } from 'nestjs-pino';
import { getStorageToken, ThrottlerStorage } from '@nestjs/throttler';
import { AppModule } from '@/app.module';
import { keyBeforeBody } from '@/common/auth/key-before-body';
import {
  AllExceptionsFilter,
  RETRY_AFTER_UNAVAILABLE_S,
  toErrorResponse,
} from '@/common/errors/all-exceptions.filter';
import { AppError } from '@/common/errors/app-error';
import { AppValidationPipe } from '@/common/errors/validation';
import { answerClientError } from '@/common/http/client-error';
import { passCsvStream, refuseNonCsvBody } from '@/common/http/csv-body';
import { checkJsonBody } from '@/common/http/json-body-check';
import { requestIdOf } from '@/common/logging/logger.options';
import { REQUEST_ID_HEADER } from '@/common/openapi/headers';
import { spellOutNullables } from '@/common/openapi/nullable';
import { AppConfig } from '@/config/env';
import { ApiKeyService } from '@/modules/brands/api-key.service';
import {
  RedirectController,
  sendNotFound,
  sendUnavailable,
} from '@/modules/tracking/redirect.controller';
import { installRedirectFrontDoor } from '@/modules/tracking/redirect-front-door';
import { queryEncodingIssue } from '@/common/http/query-encoding';

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Builds the whole application exactly as production runs it; main.ts and the e2e tests share it.
 */
export async function createApp(
  config: AppConfig,
  options: { bufferLogs?: boolean } = {},
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    trustProxy: true,
    bodyLimit: 10 * 1024 * 1024,
    // the same id as the log lines, so a 500 body's requestId finds its log entry
    genReqId: (req: IncomingMessage) => requestIdOf(req),
    routerOptions: { ignoreTrailingSlash: true },
    frameworkErrors: answerFrameworkError,
    // requests Node's HTTP parser refuses (a raw space or é in the URL…): the one error format
    clientErrorHandler: answerClientError,
    // Requests that arrive while closing (on a kept-alive connection) are answered below, in the
    // API's error format, instead of by Fastify's own JSON.
    return503OnClosing: false,
  });
  // Once the app begins to close, redirects too go to Fastify, and every request gets a 503.
  let closing = false;
  adapter.getInstance().addHook('preClose', (done) => {
    closing = true;
    done();
  });
  adapter.getInstance().addHook('onRequest', (request, reply, done) => {
    if (!closing) return done();
    answerWhileClosing(request, reply);
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    bufferLogs: options.bufferLogs ?? true,
    abortOnError: false,
    bodyParser: false, // our JSON parser below answers bad JSON in the API's error format
    logger: config.logLevel === 'silent' ? false : undefined,
  });
  registerBodyParsers(app, config);
  app.useLogger(app.get(Logger));
  app.useGlobalPipes(new AppValidationPipe());
  app.useGlobalFilters(new AllExceptionsFilter());
  app.enableShutdownHooks();
  setupOpenApi(app);
  await app.init();
  installRedirectFrontDoor(app.getHttpServer(), app.get(RedirectController), () => closing);

  return app;
}

/**
 * JSON bodies go through Fastify's own safe parser (prototype-poisoning checks); its failures
 * become AppErrors so they reach the exception filter with a code, not as bare HTTP errors.
 * Every response carries the request id.
 */
function registerBodyParsers(app: NestFastifyApplication, config: AppConfig): void {
  const fastify = app.getHttpAdapter().getInstance();
  // First of the preParsing hooks: no body is looked at for a caller without a valid key.
  fastify.addHook(
    'preParsing',
    keyBeforeBody(
      app.get(ApiKeyService),
      app.get<ThrottlerStorage>(getStorageToken()),
      config.rateLimitPerMinute,
    ),
  );
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  // Fastify reads text/plain as a string by default; every other type the API does not take
  // answers 415, and so does this one (a string body only ever failed validation).
  fastify.removeContentTypeParser('text/plain');
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, raw, done) => {
    // An empty body is no body, whatever its Content-Type (clients that always send the header):
    // a route that needs one answers 400 `body` "is required", one that takes none goes on.
    if ((raw as Buffer).length === 0) return done(null, undefined);
    // Decoded strictly: a lenient decode turns bad bytes into U+FFFD, so two different ids would
    // be stored as one.
    let body: string;
    try {
      body = STRICT_UTF8.decode(raw as Buffer);
    } catch {
      return done(
        new AppError('invalid_json', 'The request body is not valid UTF-8', [
          { field: 'body', issue: 'is not valid UTF-8' },
        ]),
        undefined,
      );
    }
    void parseJson(request, body, (error: Error | null, value?: unknown) => {
      if (error) {
        // Fastify's parser refuses prototype-poisoning keys with the same error as bad syntax:
        // JSON that plain JSON.parse reads was refused for such a key.
        const poisoned = isPlainJson(body);
        return done(
          poisoned
            ? new AppError('invalid_json', 'The request body holds a forbidden key', [
                { field: 'body', issue: 'must not contain a "__proto__" or "constructor" key' },
              ])
            : new AppError('invalid_json', 'The request body is not valid JSON', [
                { field: 'body', issue: 'is not valid JSON' },
              ]),
          undefined,
        );
      }
      const problem = checkJsonBody(value);
      if (problem) {
        return done(
          new AppError('invalid_json', 'The request body cannot be accepted as it is', [problem]),
          undefined,
        );
      }
      done(null, value);
    });
  });
  // CSV uploads are streamed to the routes marked @AcceptsCsvStream(), never held in memory;
  // those routes refuse any other body before it is read.
  fastify.addContentTypeParser('text/csv', passCsvStream);
  fastify.addHook('preParsing', refuseNonCsvBody);
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    // A tracked link always redirects, whatever its query (the friend never hits a dead end).
    const issue = request.url.startsWith('/r/') ? null : queryEncodingIssue(request.url);
    if (issue) return sendError(reply, AppError.field('query', issue), String(request.id));
    done();
  });
}

/**
 * A URL Fastify's router refuses before any route, hook or Nest filter runs (a malformed
 * percent-encoding, a path parameter past maxParamLength): Fastify's own answer is not in the
 * API's error format. A tracked link's GET or HEAD gets the unknown-link page, as a friend's
 * browser does for any link that does not exist; anything else the one error format.
 */
function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const requestId = String(request.id);
  if ((request.method === 'GET' || request.method === 'HEAD') && request.url.startsWith('/r/')) {
    reply.hijack();
    sendNotFound(reply.raw, { requestId });
    return;
  }
  sendError(reply, error, requestId);
}

/**
 * A request that arrives once the app is closing (on a connection already open): 503 and the
 * connection closed, in the API's error format, or the 503 page for a friend's tracked link.
 */
function answerWhileClosing(request: FastifyRequest, reply: FastifyReply) {
  const requestId = String(request.id);
  if ((request.method === 'GET' || request.method === 'HEAD') && request.url.startsWith('/r/')) {
    reply.hijack();
    reply.raw.setHeader('connection', 'close');
    sendUnavailable(reply.raw, { requestId });
    return;
  }
  void reply.header('connection', 'close');
  sendError(
    reply,
    new AppError('service_unavailable', 'The service is shutting down: retry on another instance', [
      { field: 'service', issue: 'is shutting down' },
    ]),
    requestId,
  );
}

/** An error answered outside Nest (no exception filter): the same body and headers. */
function sendError(reply: FastifyReply, error: unknown, requestId: string) {
  const { status, body } = toErrorResponse(error, requestId);
  if (status === 503) void reply.header('retry-after', String(RETRY_AFTER_UNAVAILABLE_S));
  void reply
    .status(status)
    .header('content-type', 'application/json; charset=utf-8')
    .header('x-request-id', requestId)
    .send(body);
}

export function setupOpenApi(app: INestApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Tandem API')
      .setDescription(
        'Referral incentive and rewards program engine. Authenticate with `Authorization: Bearer <api key>`; ' +
          'each operation lists the scopes it accepts in `x-scopes` (an `admin` key passes every scope). ' +
          'Errors are `{ "error": { "code", "message", "details": [{ "field", "issue" }] } }`. ' +
          'Money is an integer `amount` in minor units with an ISO 4217 `currency`. ' +
          'Lists take `limit` (default 50, max 500) and `cursor`, and answer `{ data, nextCursor }`; ' +
          'a cursor works only with the filters and sort of the page it came from (400 `cursor` otherwise).',
      )
      .setVersion('0.1.0')
      // Both are opaque secrets compared as they are (Nest's default bearerFormat says JWT).
      .addBearerAuth(
        {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'opaque API key: tdm_ followed by 40 characters',
          description: 'A brand API key (tdm_…)',
        },
        'apiKey',
      )
      .addBearerAuth(
        {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'opaque token: the value of TANDEM_OPERATOR_TOKEN',
          description: 'TANDEM_OPERATOR_TOKEN',
        },
        'operatorToken',
      )
      .build(),
  );
  documentDeclaredInputErrors(document);
  documentServerErrors(document);
  spellOutNullables(document);
  declareRequestIdHeader(document);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    yamlDocumentUrl: 'docs-yaml',
  });
}

/** Every answer carries X-Request-Id (the onRequest hook above, and the redirect's own answers). */
function declareRequestIdHeader(document: OpenAPIObject): void {
  for (const item of Object.values(document.paths)) {
    for (const method of ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'] as const) {
      for (const response of Object.values(item[method]?.responses ?? {})) {
        if (!response || '$ref' in response) continue;
        response.headers = { ...REQUEST_ID_HEADER, ...response.headers };
      }
    }
  }
}

/** True when plain JSON.parse reads the text (only called once Fastify's parser refused it). */
function isPlainJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
