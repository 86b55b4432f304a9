import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { NOT_FOUND_PAGE } from '@/modules/tracking/redirect-pages';

/** What Node's HTTP parser hands the server's `clientError` listener. */
export type ClientError = Error & { code?: string; reason?: string; rawPacket?: unknown };

interface Answer {
  status: number;
  contentType: string;
  body: string;
}

// A tracked link's request line: the friend gets the same page as for any unknown link.
const LINK_REQUEST = /^(?:GET|HEAD) \/r\//;

function json(status: number, code: string, message: string, field: string, issue: string): Answer {
  return {
    status,
    contentType: 'application/json; charset=utf-8',
    body: JSON.stringify({ error: { code, message, details: [{ field, issue }] } }),
  };
}

/**
 * The answer to a request Node's HTTP parser refused before Fastify, its hooks or Nest saw it:
 * a URL with a raw space, control character or non-ASCII byte (`?search=José` sent unencoded),
 * a malformed request line or header, headers past the size limit. Fastify's own answer was
 * `{"error":"Bad Request","message":"Client Error","statusCode":400}`, not the API's format.
 */
export function clientErrorAnswer(error: ClientError): Answer {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return json(
      408,
      'request_timeout',
      'The request did not arrive in time',
      'request',
      'timed out',
    );
  }
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    return json(
      431,
      'headers_too_large',
      'The request headers are too large',
      'headers',
      'are larger than the server accepts (16 KB)',
    );
  }
  const packet = Buffer.isBuffer(error.rawPacket) ? error.rawPacket.toString('latin1') : '';
  // `GET /v1/advocates?search=Alice Martin HTTP/1.1`: the parser reads `Martin` as the version.
  const requestLine = packet.split('\r\n', 1)[0]!.split(' ');
  const spaceInUrl = requestLine.length > 3 && /^HTTP\/\d/.test(requestLine.at(-1)!);
  if (error.code === 'HPE_INVALID_URL' || spaceInUrl) {
    if (LINK_REQUEST.test(packet)) {
      return { status: 404, contentType: 'text/html; charset=utf-8', body: NOT_FOUND_PAGE };
    }
    // The space is in the query when the URL's part before it already has the `?`.
    const inQuery = spaceInUrl
      ? requestLine[1]!.includes('?')
      : /query/i.test(error.reason ?? error.message);
    const field = inQuery ? 'query' : 'path';
    return json(
      400,
      'validation_failed',
      'The URL is not valid',
      field,
      'has a character that must be percent-encoded: a space, a control character or a ' +
        'non-ASCII character (send é as %C3%A9)',
    );
  }
  return json(
    400,
    'validation_failed',
    'The request is not valid HTTP',
    'request',
    `cannot be read as HTTP/1.1 (${error.reason ?? error.message})`,
  );
}

function isHead(error: ClientError): boolean {
  return Buffer.isBuffer(error.rawPacket) && error.rawPacket.subarray(0, 5).toString() === 'HEAD ';
}

/**
 * Fastify's `clientErrorHandler`: answers in the API's error format (or the link page), with a
 * request id, then closes the connection as Node and Fastify do.
 */
export function answerClientError(error: ClientError, socket: Duplex): void {
  // A reset connection has nobody left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) {
    const { status, contentType, body } = clientErrorAnswer(error);
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
        `content-type: ${contentType}\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\n` +
        'cache-control: no-store\r\n' +
        `x-request-id: ${randomUUID()}\r\n` +
        'connection: close\r\n\r\n' +
        (isHead(error) ? '' : body),
    );
  }
  socket.destroy(error);
}
