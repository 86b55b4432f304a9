import { request as httpRequest } from 'node:http';
import { startApp, TestApp } from './helpers/app';

/**
 * The OpenAPI document lists every error an operation can answer. Rules checked on the document
 * the real app serves, then, per operation, a request showing the app answers what the rule says.
 */

interface Operation {
  method: string;
  path: string;
  name: string;
  responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
  parameters: { in: string; name: string }[];
  requestBody?: { content: Record<string, unknown> };
  security?: Record<string, unknown>[];
  scopes?: string[];
}

const METHODS = ['get', 'put', 'post', 'patch', 'delete'];
const ERROR_SCHEMA = '#/components/schemas/ErrorResponseDto';
// The redirect answers an unknown link, or a failed lookup, with a small HTML page, not the JSON
// error body.
const HTML_ERRORS = new Set(['GET /r/{slug} 404', 'GET /r/{slug} 503']);
// A friend's browser follows the tracked link: whatever the slug, it gets a page (302 or the
// HTML 404), never a JSON 400.
const FRIEND_FACING = new Set(['GET /r/{slug}']);
const OPERATOR_TOKEN = 'operator-token-for-openapi-tests';

function operationsOf(doc: any): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries<any>(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      out.push({
        method: method.toUpperCase(),
        path,
        name: `${method.toUpperCase()} ${path}`,
        responses: op.responses,
        parameters: op.parameters ?? [],
        requestBody: op.requestBody,
        security: op.security,
        scopes: op['x-scopes'],
      });
    }
  }
  return out;
}

const pathParams = (op: Operation) => op.parameters.filter((p) => p.in === 'path');
const takesJson = (op: Operation) => op.requestBody?.content['application/json'] !== undefined;
const documents = (op: Operation, status: number) => String(status) in op.responses;

/** The operations breaking a rule, so a failure names them. */
function missing(ops: Operation[], applies: (op: Operation) => boolean, statuses: number[]) {
  return ops
    .filter(applies)
    .flatMap((op) => statuses.filter((s) => !documents(op, s)).map((s) => `${op.name} ${s}`));
}

/** The operation's URL with every path parameter set to `value` (already URL-encoded). */
function urlOf(op: Operation, value: string, query = ''): string {
  return op.path.replace(/\{[^}]+\}/g, value) + query;
}

describe('OpenAPI error responses', () => {
  let t: TestApp;
  let key: string;
  let ops: Operation[];
  beforeAll(async () => {
    // With an operator token set, POST /v1/brands answers a wrong one 401 (unset: 403).
    t = await startApp({ TANDEM_OPERATOR_TOKEN: OPERATOR_TOKEN });
    key = (await t.createBrand()).key;
    ops = operationsOf((await t.request('GET', '/docs-json')).body);
  });
  afterAll(() => t.close());

  it('finds the operations the rules are about', () => {
    expect(ops.length).toBeGreaterThan(50);
    expect(ops.filter(takesJson).length).toBeGreaterThan(20);
    expect(ops.filter((op) => pathParams(op).length > 0).length).toBeGreaterThan(30);
  });

  it('documents every 4xx and 503 with the one error body, as JSON even where the route sends CSV', () => {
    const wrong = ops.flatMap((op) =>
      Object.entries(op.responses)
        .filter(
          ([status]) => /^(4\d\d|503)$/.test(status) && !HTML_ERRORS.has(`${op.name} ${status}`),
        )
        .filter(
          ([, r]) =>
            Object.keys(r.content ?? {}).join() !== 'application/json' ||
            r.content?.['application/json']?.schema?.$ref !== ERROR_SCHEMA,
        )
        .map(([status]) => `${op.name} ${status}`),
    );
    expect(wrong).toEqual([]);
  });

  it('documents 400 exactly on the operations that take input or refuse what they do not take', () => {
    // Every authenticated operation answers 400 to a query parameter or body field it does not take.
    const hasInput = (op: Operation) =>
      (op.requestBody !== undefined ||
        op.parameters.length > 0 ||
        (op.security?.length ?? 0) > 0) &&
      !FRIEND_FACING.has(op.name);
    expect(missing(ops, hasInput, [400])).toEqual([]);
    // Nothing to validate, nothing to refuse (GET /health).
    expect(ops.filter((op) => !hasInput(op) && documents(op, 400)).map((op) => op.name)).toEqual(
      [],
    );
  });

  it('documents 413 and 415 on every operation with a request body, or that could be sent one', () => {
    expect(
      missing(ops, (op) => op.requestBody !== undefined || op.method !== 'GET', [413, 415]),
    ).toEqual([]);
  });

  it('documents 404 on every operation with a path parameter', () => {
    expect(missing(ops, (op) => pathParams(op).length > 0, [404])).toEqual([]);
  });

  it('documents 401, 403 and 429 on every authenticated operation, which is all of /v1', () => {
    const unauthenticated = ops.filter((op) => op.path.startsWith('/v1/') && !op.security?.length);
    expect(unauthenticated.map((op) => op.name)).toEqual([]);
    expect(missing(ops, (op) => (op.security?.length ?? 0) > 0, [401, 403, 429])).toEqual([]);
  });

  it('answers 400 to a NUL character in any path parameter', async () => {
    const answers: string[] = [];
    for (const op of ops.filter((o) => pathParams(o).length > 0 && !FRIEND_FACING.has(o.name))) {
      const res = await t.request(op.method, urlOf(op, '%00'), { key });
      answers.push(`${op.name} ${res.status} ${res.body?.error?.code}`);
    }
    expect(answers).toEqual(answers.map((a) => a.replace(/ \S+ \S+$/, ' 400 validation_failed')));
    // the tracked link answers its not-found page instead
    const friend = await t.request('GET', '/r/%00');
    expect([friend.status, friend.headers.get('content-type')]).toEqual([
      404,
      'text/html; charset=utf-8',
    ]);
  });

  it('answers 400 to an unknown query parameter, on every operation with a key', async () => {
    const answers: string[] = [];
    for (const op of ops.filter((o) => (o.security?.length ?? 0) > 0)) {
      const res = await t.request(op.method, urlOf(op, 'unknown', '?notAParameter=1'), { key });
      answers.push(`${op.name} ${res.status} ${res.body?.error?.details?.[0]?.field}`);
    }
    expect(answers).toEqual(answers.map((a) => a.replace(/ \S+ \S+$/, ' 400 notAParameter')));
  });

  it('answers 400 invalid_json, 413 and 415 on every operation taking a JSON body', async () => {
    const answers: string[] = [];
    for (const op of ops.filter(takesJson)) {
      const url = urlOf(op, 'unknown');
      const bad = await t.request(op.method, url, {
        key,
        rawBody: '{"a":',
        headers: { 'content-type': 'application/json' },
      });
      const csv = await t.request(op.method, url, {
        key,
        rawBody: 'a,b\n',
        headers: { 'content-type': 'text/csv' },
      });
      const large = await declaredTooLarge(t.baseUrl + url, op.method, key);
      answers.push(`${op.name} ${bad.body?.error?.code} ${csv.status} ${large}`);
    }
    expect(answers).toEqual(
      answers.map((a) => a.replace(/ \S+ \S+ \S+$/, ' invalid_json 415 413')),
    );
  });

  it('answers 400 to a body with fields, and goes on with {} or an empty one, on every operation that takes no body', async () => {
    const answers: string[] = [];
    const noBody = ops.filter((o) => o.method !== 'GET' && !o.requestBody && o.security?.length);
    for (const op of noBody) {
      const url = urlOf(op, 'unknown');
      const json = { 'content-type': 'application/json' };
      const fields = await t.request(op.method, url, { key, body: { force: true } });
      const array = await t.request(op.method, url, { key, rawBody: '[1]', headers: json });
      const empty = await t.request(op.method, url, { key, rawBody: '', headers: json });
      const object = await t.request(op.method, url, { key, rawBody: '{}', headers: json });
      answers.push(
        [
          op.name,
          fields.body?.error?.details?.[0]?.field,
          array.body?.error?.details?.[0]?.field,
          empty.status,
          object.status,
        ].join(' '),
      );
    }
    expect(noBody.length).toBeGreaterThan(5);
    // The unknown id is reached (404) once the body is accepted.
    expect(answers).toEqual(answers.map((a) => a.replace(/( \S+){4}$/, ' force body 404 404')));
  });

  it('answers 400 body to a GET sent with a body (JSON or not), and goes on with an empty one', async () => {
    // fetch refuses a GET with a body: node:http sends one, as curl -X GET -d does
    const getWith = (url: string, body: string) =>
      new Promise<{ status: number; field?: string }>((resolve, reject) => {
        const req = httpRequest(
          `${t.baseUrl}${url}`,
          {
            method: 'GET',
            headers: {
              authorization: `Bearer ${key}`,
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
            },
          },
          (res) => {
            let text = '';
            res.on('data', (chunk) => (text += chunk));
            res.on('end', () =>
              resolve({
                status: res.statusCode!,
                field: text.startsWith('{')
                  ? JSON.parse(text).error?.details?.[0]?.field
                  : undefined,
              }),
            );
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    const answers: string[] = [];
    const gets = ops.filter((o) => o.method === 'GET' && o.security?.length);
    for (const op of gets) {
      const url = urlOf(op, 'unknown');
      const fields = await getWith(url, '{"zz":1}');
      const broken = await getWith(url, '{bad');
      const empty = await getWith(url, '');
      answers.push(
        [op.name, fields.field, broken.field, empty.field === 'body' ? 'refused' : 'ok'].join(' '),
      );
    }
    expect(gets.length).toBeGreaterThan(20);
    expect(answers).toEqual(answers.map((a) => a.replace(/( \S+){3}$/, ' body body ok')));
  });

  it('answers 404 to unknown ids on the operations without a body', async () => {
    const answers: string[] = [];
    for (const op of ops.filter((o) => pathParams(o).length > 0 && !o.requestBody)) {
      const res = await t.request(op.method, urlOf(op, 'unknown'), { key });
      answers.push(`${op.name} ${res.status}`);
    }
    expect(answers).toEqual(answers.map((a) => a.replace(/ \S+$/, ' 404')));
  });

  it('answers 401 without credentials on every authenticated operation', async () => {
    const answers: string[] = [];
    for (const op of ops.filter((o) => (o.security?.length ?? 0) > 0)) {
      // A body missing every field: credentials come first, on the operator route too.
      const res = await t.request(op.method, urlOf(op, 'unknown'), {
        ...(op.requestBody
          ? { rawBody: '{}', headers: { 'content-type': 'application/json' } }
          : {}),
      });
      answers.push(`${op.name} ${res.status}`);
    }
    expect(answers).toEqual(answers.map((a) => a.replace(/ \S+$/, ' 401')));
  });

  it('answers 403 to a key lacking the scope on every operation, before reading any body', async () => {
    const keys = new Map<string, string>();
    for (const scope of ['track', 'finance', 'read']) {
      const res = await t.request('POST', '/v1/api-keys', {
        key,
        body: { name: `only ${scope}`, scopes: [scope] },
      });
      keys.set(scope, res.body.secret);
    }
    const answers: string[] = [];
    for (const op of ops.filter((o) => o.scopes !== undefined)) {
      const lacking = [...keys.keys()].find((s) => !op.scopes!.includes(s));
      if (lacking === undefined) continue;
      // Malformed JSON, on a CSV route too: what the body would earn (400, 415) never comes.
      const res = await t.request(op.method, urlOf(op, 'unknown'), {
        key: keys.get(lacking),
        ...(op.requestBody
          ? { rawBody: '{"a":', headers: { 'content-type': 'application/json' } }
          : {}),
      });
      answers.push(`${op.name} ${res.status} ${res.body?.error?.code}`);
    }
    expect(answers.length).toBeGreaterThan(50);
    expect(answers).toEqual(answers.map((a) => a.replace(/ \S+ \S+$/, ' 403 forbidden')));
  });
});

/** The status answered to a body declared larger than the 10 MB limit (refused before it is read). */
function declaredTooLarge(url: string, method: string, key: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method,
        headers: {
          authorization: `Bearer ${key}`,
          'content-type': 'application/json',
          'content-length': String(11 * 1024 * 1024),
        },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      },
    );
    req.on('error', reject);
    req.write('{"a":');
  });
}
