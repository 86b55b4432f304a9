import type { OpenAPIObject } from '@nestjs/swagger';
import { getSchemaPath } from '@nestjs/swagger';
import { ErrorResponseDto } from '@/common/errors/error-response.dto';
import { RETRY_AFTER_HEADER } from '@/common/openapi/headers';

const WRITE_METHODS = ['post', 'put', 'patch', 'delete'] as const;
const ALL_METHODS = ['get', ...WRITE_METHODS] as const;
type Method = (typeof ALL_METHODS)[number];
type OperationObject = NonNullable<OpenAPIObject['paths'][string]['get']>;

const errorContent = () => ({
  'application/json': { schema: { $ref: getSchemaPath(ErrorResponseDto) } },
});

/** Every operation that takes credentials (all of /v1), with its method. */
function forEachKeyedOperation(
  document: OpenAPIObject,
  visit: (operation: OperationObject, method: Method) => void,
): void {
  for (const item of Object.values(document.paths)) {
    for (const method of ALL_METHODS) {
      const operation = item[method];
      if (operation?.security?.length) visit(operation, method);
    }
  }
}

/**
 * Documents what DeclaredInputGuard and the body parsers answer on every authenticated operation,
 * whatever its own decorators say: 400 to a query parameter (or a body field) it does not take,
 * and, on a write operation without a documented body, 413 and 415 to a body too large or of
 * another type (Fastify refuses those before any route code runs).
 */
export function documentDeclaredInputErrors(document: OpenAPIObject): void {
  const content = errorContent();
  forEachKeyedOperation(document, (operation, method) => {
    const responses = operation.responses;
    responses['400'] ??= {
      description:
        'validation_failed: a query parameter, or a body field, this operation does not take (`details` names it)',
      content,
    };
    if (method === 'get' || operation.requestBody) return;
    responses['413'] ??= { description: 'The request body is over 10 MB', content };
    responses['415'] ??= {
      description: 'Unsupported Content-Type: this operation takes no body (or `{}`)',
      content,
    };
  });
}

/**
 * Any API operation can fail unexpectedly (a bug): 500 in the error format, with the request id
 * to quote (also in X-Request-Id); and while the database cannot be reached: 503 with
 * Retry-After (AllExceptionsFilter).
 */
export function documentServerErrors(document: OpenAPIObject): void {
  const content = errorContent();
  forEachKeyedOperation(document, (operation) => {
    operation.responses['500'] ??= {
      description:
        'internal_error: an unexpected failure; `requestId` (also in X-Request-Id) finds its log entry',
      content,
    };
    operation.responses['503'] ??= {
      description: 'service_unavailable: the database cannot be reached; retry after Retry-After',
      headers: RETRY_AFTER_HEADER,
      content,
    };
  });
}
