import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { ErrorResponseDto } from '@/common/errors/error-response.dto';
import { RETRY_AFTER_HEADER } from '@/common/openapi/headers';

/** The error statuses an operation documents (error-status.ts maps the codes to them). */
export type ApiErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429;

/**
 * A status alone, `[status, what causes it here]`, or `'json-body'`: the answers of every route
 * taking a JSON body (400 validation_failed/invalid_json, 413 over bodyLimit, 415 another
 * Content-Type), which Fastify's parser and the global pipe give before the handler runs.
 */
export type ApiErrorSpec = ApiErrorStatus | [ApiErrorStatus, string] | 'json-body';

const JSON_BODY: ApiErrorStatus[] = [400, 413, 415];

const GENERIC: Record<ApiErrorStatus, string> = {
  400: 'Invalid input (validation_failed, or invalid_json for a body): `details` names each field',
  401: 'Missing, unknown or revoked API key',
  403: 'Forbidden',
  404: "Not found (or another brand's)",
  409: 'Conflicts with the current state',
  413: 'The request body is over 10 MB',
  415: 'Unsupported Content-Type: send application/json',
  422: 'Well-formed but cannot be applied',
  429: 'Rate limit exceeded',
};

/**
 * Documents an operation's error answers in OpenAPI, each with the API's one error body.
 * A description given for a status wins over the generic one, whatever the order. Errors are
 * JSON even where the operation produces CSV or NDJSON, so their content type is spelled out.
 * A 429 declares its Retry-After header.
 */
export function ApiErrors(...specs: ApiErrorSpec[]) {
  const generic = new Set<ApiErrorStatus>();
  const described = new Map<ApiErrorStatus, string>();
  for (const spec of specs) {
    if (spec === 'json-body') JSON_BODY.forEach((status) => generic.add(status));
    else if (Array.isArray(spec)) described.set(spec[0], spec[1]);
    else generic.add(spec);
  }
  const statuses = [...new Set([...generic, ...described.keys()])].sort((a, b) => a - b);
  const content = { 'application/json': { schema: { $ref: getSchemaPath(ErrorResponseDto) } } };
  return applyDecorators(
    ApiExtraModels(ErrorResponseDto),
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: described.get(status) ?? GENERIC[status],
        content,
        ...(status === 429 ? { headers: RETRY_AFTER_HEADER } : {}),
      }),
    ),
  );
}
