import { BadRequestException, NotFoundException } from '@nestjs/common';
import { AppError } from '@/common/errors/app-error';
import {
  isDatabaseUnavailable,
  loggableError,
  toErrorResponse,
} from '@/common/errors/all-exceptions.filter';
import { QueryFailedError } from 'typeorm';

describe('toErrorResponse', () => {
  it('maps AppError codes to their status with details', () => {
    const r = toErrorResponse(AppError.field('limit', 'must be at most 500'), 'req-1');
    expect(r.status).toBe(400);
    expect(r.body.error).toEqual({
      code: 'validation_failed',
      message: 'limit must be at most 500',
      details: [{ field: 'limit', issue: 'must be at most 500' }],
    });
    expect(toErrorResponse(new AppError('invalid_status_transition', 'x'), 'r').status).toBe(409);
    expect(toErrorResponse(new AppError('unprocessable', 'x'), 'r').status).toBe(422);
  });

  it('translates framework exceptions', () => {
    expect(toErrorResponse(new NotFoundException('Cannot GET /x'), 'r')).toEqual({
      status: 404,
      body: { error: { code: 'not_found', message: 'Cannot GET /x', details: [] } },
    });
    expect(toErrorResponse(new BadRequestException('nope'), 'r').status).toBe(400);
    expect(
      toErrorResponse({ code: 'FST_ERR_CTP_INVALID_JSON_BODY', statusCode: 400 }, 'r').body.error
        .code,
    ).toBe('invalid_json');
  });

  it('answers 503 when the database cannot be reached or is going away, not a 500', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
      code: 'ECONNREFUSED',
    });
    const wrapped = new QueryFailedError('SELECT 1', [], refused);
    const shutdown = Object.assign(
      new Error('terminating connection due to administrator command'),
      {
        code: '57P01',
      },
    );
    for (const e of [
      refused,
      wrapped,
      shutdown,
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      Object.assign(new Error('sorry, too many clients already'), { code: '53300' }),
    ]) {
      const r = toErrorResponse(e, 'r');
      expect([e.message, r.status, r.body.error.code]).toEqual([
        e.message,
        503,
        'service_unavailable',
      ]);
      expect(isDatabaseUnavailable(e)).toBe(true);
    }
    // a refusal by the database is not an outage
    const unique = Object.assign(new Error('duplicate key'), { code: '23505' });
    expect(toErrorResponse(new QueryFailedError('INSERT', [], unique), 'r').status).toBe(500);
  });

  it('hides unexpected errors behind a 500 with the request id', () => {
    const r = toErrorResponse(new Error('password=hunter2 at db.internal:5432'), 'req-42');
    expect(r.status).toBe(500);
    expect(r.body.error.code).toBe('internal_error');
    expect(r.body.error.requestId).toBe('req-42');
    expect(JSON.stringify(r.body)).not.toContain('hunter2');
  });

  it('never logs the parameters or SQL of a failed query', () => {
    const error = new QueryFailedError(
      'INSERT INTO advocates (email) VALUES ($1)',
      ['jane@example.com'],
      new Error('boom'),
    );
    const logged = JSON.stringify(loggableError(error));
    expect(logged).not.toContain('jane@example.com');
    expect(logged).not.toContain('INSERT INTO');
    expect(loggableError(error).type).toBe('QueryFailedError');
  });
});
