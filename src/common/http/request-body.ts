import type { FastifyRequest } from 'fastify';

/** The request carries a body: a length above 0, or a chunked one. */
export function sendsBody(request: FastifyRequest): boolean {
  const { headers } = request;
  return headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? 0) > 0;
}
