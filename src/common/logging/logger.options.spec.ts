import { QueryFailedError } from 'typeorm';
import { loggerOptions } from '@/common/logging/logger.options';
import { loadConfig } from '@/config/env';

describe('logger options', () => {
  const pinoHttp = loggerOptions(
    loadConfig({ TANDEM_SECRET: 'x'.repeat(32), TANDEM_DATA_DIR: '/tmp/tandem-log-spec/data' }),
  ).pinoHttp as any;

  it('logs the path without the query string, and no headers but the user agent', () => {
    const logged = pinoHttp.serializers.req({
      id: 'r1',
      method: 'GET',
      url: '/r/abc?email=jane@example.com',
      headers: {
        authorization: 'Bearer tdm_secret',
        'user-agent': 'curl',
        'x-forwarded-for': '203.0.113.9',
      },
      remoteAddress: '203.0.113.9',
    });
    expect(logged).toEqual({ id: 'r1', method: 'GET', path: '/r/abc', userAgent: 'curl' });
  });

  it("logs an error's class, code and message, never a failed query's SQL or parameters", () => {
    const failed = new QueryFailedError(
      'INSERT INTO customers (email_normalized) VALUES ($1)',
      ['jane@example.com'],
      Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' }),
    );
    const logged = JSON.stringify(pinoHttp.serializers.err(failed));
    expect(logged).toContain('duplicate key value');
    expect(logged).toContain('23505');
    expect(logged).not.toContain('jane@example.com');
    expect(logged).not.toContain('INSERT INTO');
    // as pino-http hands it over: already through pino's standard serializer, a plain object
    const plain = {
      type: 'QueryFailedError',
      message: 'dup',
      query: 'INSERT …',
      parameters: ['jane@example.com'],
    };
    expect(pinoHttp.serializers.err(plain)).toEqual({ type: 'QueryFailedError', message: 'dup' });
  });

  it('logs a path segment holding an e-mail as [redacted]', () => {
    for (const url of ['/v1/advocates/jane@example.com', '/v1/advocates/jane%40example.com?x=1'])
      expect(pinoHttp.serializers.req({ id: 'r', method: 'GET', url, headers: {} }).path).toBe(
        '/v1/advocates/[redacted]',
      );
  });

  it('redacts secrets, e-mails and IPs wherever they appear in a log object', () => {
    expect(pinoHttp.redact.paths).toEqual(
      expect.arrayContaining(['req.headers.authorization', '*.email', '*.secret', '*.ip']),
    );
  });
});
