import { connect } from 'node:net';
import { DataSource } from 'typeorm';
import { startApp, TestApp } from './helpers/app';
import { createKey } from './helpers/payouts';
import { createProgram } from './helpers/programs';
import { encodeCursor, listTag } from '@/common/pagination/pagination';

describe('request pipeline', () => {
  let t: TestApp;
  let key: string;
  beforeAll(async () => {
    t = await startApp();
    key = (await t.createBrand()).key;
  });
  afterAll(() => t.close());

  it('answers malformed JSON with 400 invalid_json', async () => {
    const res = await t.request('POST', '/v1/api-keys', {
      key,
      rawBody: '{"name": "x",',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({
      code: 'invalid_json',
      message: expect.any(String),
      details: [{ field: 'body', issue: 'is not valid JSON' }],
    });
  });

  it('answers JSON it cannot store or walk with 400 naming the field, and writes nothing', async () => {
    const send = (rawBody: string, path = '/v1/events') =>
      t.request('POST', path, { key, rawBody, headers: { 'content-type': 'application/json' } });
    const event = (extra: string) =>
      `{"id":"pipe-1","type":"signup","occurredAt":"${new Date().toISOString()}",` +
      `"customer":{"id":"c-1"}${extra}}`;

    // A lone surrogate escape (PostgreSQL refuses it): in a value, in a key.
    const inValue = await send(event(',"metadata":{"note":"a\\ud800b"}'));
    expect(inValue.status).toBe(400);
    expect(inValue.body.error.code).toBe('invalid_json');
    expect(inValue.body.error.details).toEqual([
      { field: 'metadata.note', issue: expect.stringContaining('unpaired UTF-16 surrogate') },
    ]);
    const inKey = await send(event(',"metadata":{"\\udc00":1}'));
    expect(inKey.status).toBe(400);
    expect(inKey.body.error.details[0].field).toBe('metadata.\\uDC00');
    // A well-formed pair (an emoji written as escapes) is text.
    const pair = await send(event(',"metadata":{"note":"\\ud83d\\ude00"}'));
    expect(pair.status).toBe(201);
    expect(pair.body.id).toBe('pipe-1');

    // Nesting deeper than 64 levels: a 400, not a stack overflow.
    const deep = await send(`{"name":${'['.repeat(2000)}${']'.repeat(2000)}}`, '/v1/programs');
    expect(deep.status).toBe(400);
    expect(deep.body.error.details[0]).toEqual({
      field: expect.stringMatching(/^name(\[0\])+$/),
      issue: 'is nested deeper than 64 levels',
    });
    const programs = await t.request('GET', '/v1/programs', { key });
    expect(programs.body.data).toEqual([]);

    // A prototype-poisoning key: said as such, not as invalid JSON.
    const poisoned = await send(event(',"metadata":{"__proto__":{"a":1}}'));
    expect(poisoned.status).toBe(400);
    expect(poisoned.body.error.details).toEqual([
      { field: 'body', issue: 'must not contain a "__proto__" or "constructor" key' },
    ]);
  });

  it('answers a body that is not a JSON object with 400 naming the body', async () => {
    for (const rawBody of ['[1,2]', '"text"', '42']) {
      const res = await t.request('POST', '/v1/api-keys', {
        key,
        rawBody,
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status).toBe(400);
      expect(res.body.error.details[0].field).toBe('body');
    }
    const plain = await t.request('POST', '/v1/api-keys', {
      key,
      rawBody: 'name=x',
      headers: { 'content-type': 'text/plain' },
    });
    expect(plain.status).toBe(415);
    expect(plain.body.error).toMatchObject({
      code: 'unsupported_media_type',
      details: [{ field: 'content-type', issue: 'is not supported by this route' }],
    });
    const form = await t.request('POST', '/v1/api-keys', {
      key,
      rawBody: 'name=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(415);
    expect(form.body.error.details).toEqual(plain.body.error.details);
  });

  it('rejects unknown fields and names a missing one once', async () => {
    const res = await t.request('POST', '/v1/api-keys', {
      key,
      body: { scopes: ['read'], nickname: 'x' },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual(
      expect.arrayContaining([
        { field: 'nickname', issue: 'is not an allowed field' },
        { field: 'name', issue: 'is required' },
      ]),
    );
  });

  it('names a value of the wrong type once, and words every issue as the API does', async () => {
    const cases: [unknown, { field: string; issue: string }[]][] = [
      [{ name: 5, scopes: ['read'] }, [{ field: 'name', issue: 'must be a string' }]],
      [{ name: 'a', scopes: 'read' }, [{ field: 'scopes', issue: 'must be an array' }]],
      [{ name: '', scopes: ['read'] }, [{ field: 'name', issue: 'must not be empty' }]],
      [
        { name: 'x'.repeat(101), scopes: ['read'] },
        [{ field: 'name', issue: 'must be at most 100 characters' }],
      ],
      [{ name: 'a', scopes: [] }, [{ field: 'scopes', issue: 'must contain at least 1 element' }]],
      [
        { name: 'a', scopes: ['read', 'read'] },
        [{ field: 'scopes', issue: 'must not repeat a value' }],
      ],
      [
        { name: 'a', scopes: ['x'] },
        [
          {
            field: 'scopes',
            issue: 'each value must be one of the following values: admin, track, finance, read',
          },
        ],
      ],
    ];
    for (const [body, details] of cases) {
      const res = await t.request('POST', '/v1/api-keys', { key, body });
      expect([res.status, res.body.error.details]).toEqual([400, details]);
    }
    // A list that is not a list: that alone, not its elements' rules nor "is required".
    const advocates: [unknown, { field: string; issue: string }[]][] = [
      [{ externalId: 'a', tags: null }, [{ field: 'tags', issue: 'must be an array' }]],
      [{ externalId: 'a', tags: {} }, [{ field: 'tags', issue: 'must be an array' }]],
      [
        { externalId: 'a', socialProfiles: {} },
        [{ field: 'socialProfiles', issue: 'must be an array' }],
      ],
      [
        { externalId: 'a', socialProfiles: null },
        [{ field: 'socialProfiles', issue: 'must be an array' }],
      ],
      [
        { externalId: 'a', socialProfiles: [{ channel: 'instagram', handle: 5 }] },
        [{ field: 'socialProfiles[0].handle', issue: 'must be a string' }],
      ],
    ];
    for (const [body, details] of advocates) {
      const res = await t.request('POST', '/v1/advocates', { key, body });
      expect([body, res.status, res.body.error.details]).toEqual([body, 400, details]);
    }
  });

  it('answers an unknown route with a JSON 404', async () => {
    const res = await t.request('GET', '/v1/nothing-here', { key });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });

  it('answers a URL Fastify cannot route (bad percent-encoding, too long a segment) with 400 in the one error format', async () => {
    for (const path of [
      '/v1/advocates/%E0%A4%A',
      '/v1/advocates/%ZZ?limit=1',
      '/v1/programs/%E0%A4%A/kpis',
      '/v1/nothing-here/%',
    ]) {
      const res = await t.request('GET', path, {
        key,
        headers: { 'x-request-id': 'req-bad-url-1' },
      });
      expect([path, res.status, res.headers.get('content-type')]).toEqual([
        path,
        400,
        'application/json; charset=utf-8',
      ]);
      expect(res.body).toEqual({
        error: {
          code: 'validation_failed',
          message: 'The URL path is not valid',
          details: [
            {
              field: 'path',
              issue:
                'holds a malformed percent-encoding (a % not followed by two hex digits, or bytes that are not UTF-8)',
            },
          ],
        },
      });
      expect(res.headers.get('x-request-id')).toBe('req-bad-url-1');
      const head = await t.request('HEAD', path, { key });
      expect([path, head.status]).toEqual([path, 400]);
    }
    const long = await t.request('GET', `/v1/advocates/${'a'.repeat(101)}`, { key });
    expect([long.status, long.body.error.code, long.body.error.details]).toEqual([
      400,
      'validation_failed',
      [{ field: 'path', issue: 'has a parameter longer than 100 characters' }],
    ]);
    // a write with a bad URL writes nothing
    const before = await t.request('GET', '/v1/api-keys', { key });
    const post = await t.request('POST', '/v1/api-keys/%E0%A4%A', {
      key,
      body: { name: 'x', scopes: ['read'] },
    });
    expect(post.status).toBe(400);
    expect((await t.request('GET', '/v1/api-keys', { key })).body).toEqual(before.body);
  });

  it('answers a request the HTTP parser refuses (a raw space or é in the URL, huge headers) in the one error format', async () => {
    // fetch percent-encodes every URL; curl and hand-written clients send it as typed.
    const port = new URL(t.baseUrl).port;
    const raw = (requestLine: string, ...headers: string[]) =>
      new Promise<{ status: number; headers: string; body: string }>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1', () =>
          socket.write(Buffer.from([requestLine, 'Host: x', ...headers, '', ''].join('\r\n'))),
        );
        const chunks: Buffer[] = [];
        socket.on('data', (d) => chunks.push(d));
        socket.on('error', reject);
        socket.on('close', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const [head, body = ''] = text.split('\r\n\r\n');
          resolve({ status: Number(head!.split(' ')[1]), headers: head!.toLowerCase(), body });
        });
      });
    const urlIssue =
      'has a character that must be percent-encoded: a space, a control character or a ' +
      'non-ASCII character (send é as %C3%A9)';
    for (const [line, field] of [
      ['GET /v1/advocates?search=José HTTP/1.1', 'query'],
      ['GET /v1/advocates?search=Alice Martin HTTP/1.1', 'query'],
      ['GET /v1/advocates/adv_é HTTP/1.1', 'path'],
      ['PATCH /v1/adv ocates/x HTTP/1.1', 'path'],
    ] as const) {
      const res = await raw(line, `Authorization: Bearer ${key}`);
      expect([line, res.status, JSON.parse(res.body)]).toEqual([
        line,
        400,
        {
          error: {
            code: 'validation_failed',
            message: 'The URL is not valid',
            details: [{ field, issue: urlIssue }],
          },
        },
      ]);
      expect(res.headers).toContain('content-type: application/json; charset=utf-8');
      expect(res.headers).toMatch(/x-request-id: [0-9a-f-]{36}/);
    }
    const header = await raw('GET /health HTTP/1.1', 'Bad Header: y');
    expect([header.status, JSON.parse(header.body).error.details[0].field]).toEqual([
      400,
      'request',
    ]);
    const big = await raw('GET /health HTTP/1.1', `X-Big: ${'a'.repeat(20_000)}`);
    expect([big.status, JSON.parse(big.body).error.code]).toEqual([431, 'headers_too_large']);
    // A tracked link gets the not-found page, as for any link that does not exist.
    const link = await raw('GET /r/abcé HTTP/1.1');
    expect([link.status, link.body]).toEqual([404, expect.stringContaining('Link not found')]);
    const head = await raw('HEAD /r/ab c HTTP/1.1');
    expect([head.status, head.body]).toEqual([404, '']);
    // and the server goes on answering
    expect((await t.request('GET', '/health')).status).toBe(200);
  });

  it('echoes a request id, or makes one', async () => {
    const given = await t.request('GET', '/health', {
      headers: { 'x-request-id': 'req-abcdef123' },
    });
    expect(given.headers.get('x-request-id')).toBe('req-abcdef123');
    const made = await t.request('GET', '/health');
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('reports health with the database check', async () => {
    const res = await t.request('GET', '/health');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.info.database.status).toBe('up');
    expect(res.body.info.clicks).toEqual({ status: 'up', buffered: expect.any(Number) });
  });

  it('answers 503 in the one error format, naming the failing check, when the database does not answer', async () => {
    // The database's failure is what is simulated here; the answer is what is checked.
    // Only the health check's query fails: a background job's query in the same moment must not
    // take the failure instead (a flaky 200 when mockRejectedValueOnce was used).
    const dataSource = t.app.get(DataSource);
    const original = dataSource.query.bind(dataSource);
    const query = jest
      .spyOn(dataSource, 'query')
      .mockImplementation((sql: string, ...rest: unknown[]) =>
        sql === 'SELECT 1'
          ? Promise.reject(new Error('connect ECONNREFUSED 10.0.0.7:5432'))
          : (original as (...args: unknown[]) => Promise<any>)(sql, ...rest),
      );
    try {
      const res = await t.request('GET', '/health');
      expect(res.status).toBe(503);
      expect(res.body).toEqual({
        error: {
          code: 'service_unavailable',
          message: 'Not ready: database is down',
          details: [{ field: 'database', issue: 'is unreachable' }],
        },
      });
    } finally {
      query.mockRestore();
    }
    expect((await t.request('GET', '/health')).status).toBe(200);
  });

  it('serves the OpenAPI document listing every route with its scopes', async () => {
    const res = await t.request('GET', '/docs-json');
    expect(res.status).toBe(200);
    const paths = res.body.paths;
    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining(['/health', '/v1/brands', '/v1/api-keys', '/v1/api-keys/{id}']),
    );
    expect(paths['/v1/api-keys'].post['x-scopes']).toEqual(['admin']);
    expect(paths['/v1/api-keys'].get.security).toEqual([{ apiKey: [] }]);
    expect((await t.request('GET', '/docs')).status).toBe(200);
  });
});

describe('rate limiting per key', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({ RATE_LIMIT_PER_MINUTE: '5' });
  });
  afterAll(() => t.close());

  it('answers 429 once a key exceeds its limit, without affecting another key', async () => {
    const a = await t.createBrand();
    const b = await t.createBrand();
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++)
      statuses.push((await t.request('GET', '/v1/api-keys', { key: a.key })).status);
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    const limited = await t.request('GET', '/v1/api-keys', { key: a.key });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('rate_limited');
    // the library's own message named its exception class
    expect(limited.body.error.message).not.toMatch(/Exception/);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await t.request('GET', '/v1/api-keys', { key: b.key })).status).toBe(200);
  });

  it('limits refused requests too: missing and unknown keys per client address, a lacking scope per key', async () => {
    // Every guessed key was a database lookup, and none was ever counted.
    const guess = (i: number, ip: string) =>
      t.request('GET', '/v1/webhook-endpoints', {
        key: `tdm_guess${i}`,
        headers: { 'x-forwarded-for': ip },
      });
    const guesses: number[] = [];
    for (let i = 0; i < 7; i++) guesses.push((await guess(i, '198.51.100.7')).status);
    expect(guesses).toEqual([401, 401, 401, 401, 401, 429, 429]);
    const limited = await guess(99, '198.51.100.7');
    expect(limited.body.error.code).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // no key at all counts against the same address
    const bare = await t.request('GET', '/v1/webhook-endpoints', {
      headers: { 'x-forwarded-for': '198.51.100.7' },
    });
    expect(bare.status).toBe(429);
    // another address is not affected, and a valid key is counted against the key only
    expect((await guess(100, '198.51.100.8')).status).toBe(401);
    const brand = await t.createBrand();
    const ok = await t.request('GET', '/v1/webhook-endpoints', {
      key: brand.key,
      headers: { 'x-forwarded-for': '198.51.100.7' },
    });
    expect(ok.status).toBe(200);

    const read = await createKey(t, brand, ['read']);
    const denied: number[] = [];
    for (let i = 0; i < 6; i++)
      denied.push((await t.request('GET', '/v1/webhook-endpoints', { key: read })).status);
    expect(denied).toEqual([403, 403, 403, 403, 403, 429]);
  });
  it('authenticates a request with a body and checks its scope before reading it: 401 or 403, not what the body would earn', async () => {
    const from = (ip: string, extra: Record<string, string> = {}) => ({
      'x-forwarded-for': ip,
      'content-type': 'application/json',
      ...extra,
    });
    // Bad JSON and no key: the key is the first problem (it was a 400 invalid_json).
    const noKey = await t.request('POST', '/v1/events', {
      rawBody: '{not json',
      headers: from('198.51.100.20'),
    });
    expect(noKey.status).toBe(401);
    expect(noKey.body.error.message).toMatch(/Missing API key/);
    // Not even a large body is read for an unknown key; the connection is closed after the 401.
    const unknown = await t.request('POST', '/v1/events', {
      rawBody: `{"pad":"${'x'.repeat(2_000_000)}"}`,
      headers: from('198.51.100.20', { authorization: 'Bearer tdm_unknown' }),
    });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.message).toBe('Unknown or revoked API key');
    expect(unknown.headers.get('connection')).toBe('close');
    // A CSV route with JSON and no key: 401 (it was a 415).
    const csv = await t.request('POST', '/v1/advocates/import', {
      rawBody: '{}',
      headers: from('198.51.100.20'),
    });
    expect(csv.status).toBe(401);
    // They count against the address: 5 a minute here.
    const more: number[] = [];
    for (let i = 0; i < 3; i++) {
      more.push(
        (await t.request('POST', '/v1/events', { rawBody: '{}', headers: from('198.51.100.20') }))
          .status,
      );
    }
    expect(more).toEqual([401, 401, 429]);

    // A valid key: the body is read and judged as before, and the scopes still apply.
    const brand = await t.createBrand();
    const bad = await t.request('POST', '/v1/events', {
      key: brand.key,
      rawBody: '{not json',
      headers: { 'content-type': 'application/json' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_json');
    // A key lacking the route's scope: 403 before the body too, counted against the key.
    const track = await createKey(t, brand, ['track']);
    const denied = await t.request('POST', '/v1/api-keys', {
      key: track,
      body: { name: 'x', scopes: ['read'] },
    });
    expect(denied.status).toBe(403);
    expect(denied.headers.get('connection')).toBe('close');
    const again: number[] = [];
    for (let i = 0; i < 5; i++) {
      again.push(
        (
          await t.request('POST', '/v1/api-keys', {
            key: track,
            rawBody: '{not json',
            headers: { 'content-type': 'application/json' },
          })
        ).status,
      );
    }
    expect(again).toEqual([403, 403, 403, 403, 429]);
    // The brand's admin key is not limited by it.
    expect((await t.request('GET', '/v1/api-keys', { key: brand.key })).status).toBe(200);
  });
});

describe('operator brand bootstrap over HTTP', () => {
  it('is disabled without TANDEM_OPERATOR_TOKEN', async () => {
    const t = await startApp();
    try {
      const res = await t.request('POST', '/v1/brands', { body: { name: 'Acme' } });
      expect(res.status).toBe(403);
      // before the body is validated: the route's fields are none of the caller's business
      for (const body of [{}, { name: 12345 }, { nickname: 'x' }]) {
        expect((await t.request('POST', '/v1/brands', { body })).status).toBe(403);
      }
    } finally {
      await t.close();
    }
  });

  it('creates a brand and a working admin key with the operator token', async () => {
    const token = 'operator-token-0123456789abcdef';
    const t = await startApp({ TANDEM_OPERATOR_TOKEN: token });
    try {
      expect(
        (
          await t.request('POST', '/v1/brands', {
            key: 'wrong-token-0123456789abcdef',
            body: { name: 'Acme' },
          })
        ).status,
      ).toBe(401);
      expect(
        (await t.request('POST', '/v1/brands', { key: token, body: { name: '' } })).status,
      ).toBe(400);
      const res = await t.request('POST', '/v1/brands', { key: token, body: { name: 'Acme' } });
      expect(res.status).toBe(201);
      expect(res.body.brand).toMatchObject({ id: expect.stringMatching(/^brd_/), name: 'Acme' });
      expect((await t.request('GET', '/v1/api-keys', { key: res.body.apiKey.secret })).status).toBe(
        200,
      );
    } finally {
      await t.close();
    }
  });
});

describe('NUL characters', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(() => t.close());

  it('answers 400 naming the field for NUL in the body, query or path, never a 500', async () => {
    const { key } = await t.createBrand();
    const body = await t.request('POST', '/v1/api-keys', {
      key,
      body: { name: 'a\u0000b', scopes: ['read'] },
    });
    expect(body.status).toBe(400);
    expect(body.body.error.details[0].field).toBe('name');
    const query = await t.request('GET', '/v1/api-keys?cursor=%00', { key });
    expect(query.status).toBe(400);
    const path = await t.request('DELETE', '/v1/api-keys/key_%00', { key });
    expect(path.status).toBe(400);
    expect(path.body.error.details[0].field).toBe('id');
  });
});

describe('forged cursors', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(() => t.close());

  it('answers 400 naming cursor on every list, never a 500 or a silently wrong page', async () => {
    const { key } = await t.createBrand();
    const forge = (k: unknown, id: unknown) =>
      Buffer.from(JSON.stringify({ k, id })).toString('base64url');
    const lists = [
      '/v1/api-keys',
      '/v1/programs',
      '/v1/advocates',
      '/v1/rewards',
      '/v1/reviews',
      '/v1/shares',
    ];
    // 'yesterday' is a valid timestamp to PostgreSQL; 'x' fails its cast; ids must look like ids.
    for (const cursor of [
      forge('yesterday', 'key_x'),
      forge('x', 'key_x'),
      forge('2026-01-01T00:00:00.000Z', "x'--"),
    ]) {
      for (const path of lists) {
        const res = await t.request('GET', `${path}?cursor=${cursor}`, { key });
        expect([path, res.status, res.body?.error?.details?.[0]?.field]).toEqual([
          path,
          400,
          'cursor',
        ]);
      }
    }
  });

  it("refuses another brand's cursor on every list: it would start the list at a foreign position", async () => {
    const a = await t.createBrand();
    const b = await t.createBrand();
    const make = async (brand: { key: string }, n: number) => {
      for (let i = 0; i < 2; i++) {
        const body = {
          name: `p${n}${i}`,
          goal: 'awareness',
          currency: 'EUR',
          landingUrl: 'https://a.example.com/',
        };
        expect((await t.request('POST', '/v1/programs', { key: brand.key, body })).status).toBe(
          201,
        );
        const adv = { externalId: `x${n}${i}` };
        expect(
          (await t.request('POST', '/v1/advocates', { key: brand.key, body: adv })).status,
        ).toBe(201);
        const keyBody = { name: `k${n}${i}`, scopes: ['read'] };
        expect(
          (await t.request('POST', '/v1/api-keys', { key: brand.key, body: keyBody })).status,
        ).toBe(201);
      }
    };
    await make(a, 1);
    await make(b, 2);
    for (const list of [
      '/v1/programs',
      '/v1/advocates',
      '/v1/advocates?sort=name',
      '/v1/api-keys',
    ]) {
      const sep = list.includes('?') ? '&' : '?';
      const first = await t.request('GET', `${list}${sep}limit=1`, { key: b.key });
      expect([list, typeof first.body.nextCursor]).toEqual([list, 'string']);
      const before = (await t.request('GET', `${list}${sep}limit=500`, { key: a.key })).body;
      const res = await t.request('GET', `${list}${sep}cursor=${first.body.nextCursor}`, {
        key: a.key,
      });
      expect([list, res.status, res.body.error?.details]).toEqual([
        list,
        400,
        [
          {
            field: 'cursor',
            issue:
              'belongs to another list or other filters: send the filters of the page it came from',
          },
        ],
      ]);
      // brand A's own cursor still pages A's list
      const own = await t.request('GET', `${list}${sep}limit=1`, { key: a.key });
      const next = await t.request('GET', `${list}${sep}cursor=${own.body.nextCursor}`, {
        key: a.key,
      });
      expect([list, next.status, [...own.body.data, ...next.body.data]]).toEqual([
        list,
        200,
        before.data,
      ]);
    }
  });

  it('answers 400, not a 500, for keys JavaScript takes and PostgreSQL refuses (Feb 30, year 0, a bigint overflow, a NUL)', async () => {
    const brand = await t.createBrand();
    const hook = await t.request('POST', '/v1/webhook-endpoints', {
      key: brand.key,
      body: { url: 'https://shop.example.com/hooks', eventTypes: ['reward.created'] },
    });
    expect(hook.status).toBe(201);
    // correctly bound to their list and brand, so only the key is wrong
    const cases: [string, string][] = [];
    for (const k of [
      '2026-02-30 10:00:00.123456+00',
      '0000-01-01 00:00:00+00',
      '2026-01-01 00:00:00+16:00',
    ]) {
      cases.push([
        '/v1/api-keys',
        encodeCursor({ k, id: 'key_x' }, { list: 'api-keys', brandId: brand.id }),
      ]);
      cases.push([
        '/v1/webhook-endpoints',
        encodeCursor({ k, id: 'whe_x' }, { list: 'webhook-endpoints', brandId: brand.id }),
      ]);
    }
    cases.push([
      `/v1/webhook-endpoints/${hook.body.id}/deliveries`,
      encodeCursor(
        { k: '9999999999999999999', id: 'dlv_x' },
        { list: 'webhook-deliveries', brandId: brand.id, endpointId: hook.body.id },
      ),
    ]);
    // the advocates list (sorted by createdAt): a genuine cursor with its key swapped
    for (const externalId of ['c1', 'c2']) {
      await t.request('POST', '/v1/advocates', { key: brand.key, body: { externalId } });
    }
    const page = await t.request('GET', '/v1/advocates?limit=1', { key: brand.key });
    const genuine = JSON.parse(Buffer.from(page.body.nextCursor, 'base64url').toString('utf8'));
    cases.push([
      '/v1/advocates?limit=1',
      Buffer.from(
        JSON.stringify({
          ...genuine,
          k: String(genuine.k).replace(/\d{4}-.*$/, '2026-02-30T00:00:00.000000Z'),
        }),
      ).toString('base64url'),
    ]);
    // a KPI breakdown cursor of this very query whose group key holds a NUL (it went to SQL)
    const program = await createProgram(t, brand.key);
    const query = listTag({ list: 'kpi-breakdown', brandId: brand.id, programId: program.id });
    cases.push([
      `/v1/programs/${program.id}/kpis/breakdown?by=cta`,
      Buffer.from(
        JSON.stringify({ q: `cta:conversions:desc:${query}`, v: null, k: 'a\u0000b', r: 0 }),
      ).toString('base64url'),
    ]);
    for (const [path, cursor] of cases) {
      const sep = path.includes('?') ? '&' : '?';
      const res = await t.request('GET', `${path}${sep}cursor=${cursor}`, { key: brand.key });
      expect([path, res.status, res.body?.error?.details?.[0]?.field]).toEqual([
        path,
        400,
        'cursor',
      ]);
    }
  });
});
