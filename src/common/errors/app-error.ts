export interface ErrorDetail {
  field: string;
  issue: string;
}

/**
 * Every error the API answers with a code. The HTTP status lives in one table
 * (error-status.ts) so the mapping is reviewed in one place.
 */
export type ErrorCode =
  | 'validation_failed'
  | 'invalid_json'
  | 'unprocessable'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'idempotency_conflict'
  | 'invalid_status_transition'
  | 'code_taken'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'service_unavailable'
  | 'internal_error';

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'AppError';
  }

  /** `field`: the body or query field that named it (a path id needs none). */
  static notFound(what: string, field?: string): AppError {
    const details = field === undefined ? undefined : [{ field, issue: 'not found' }];
    return new AppError('not_found', `${what} not found`, details);
  }

  static validation(details: ErrorDetail[], message = 'The request has invalid fields'): AppError {
    return new AppError('validation_failed', message, details);
  }

  static field(field: string, issue: string): AppError {
    return AppError.validation([{ field, issue }], `${field} ${issue}`);
  }
}
