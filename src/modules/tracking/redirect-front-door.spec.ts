import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import type { RedirectController, RedirectRequest } from '@/modules/tracking/redirect.controller';
import { clientAddress, installRedirectFrontDoor } from '@/modules/tracking/redirect-front-door';

describe('clientAddress', () => {
  it.each([
    [undefined],
    ['203.0.113.7'],
    ['203.0.113.7, 10.0.0.1'],
    ['  203.0.113.7 ,10.0.0.1,  '],
    ['2001:db8::1, 10.0.0.1'],
    [''],
  ])(
    'gives what Fastify gives as request.ip with trustProxy (X-Forwarded-For: %p)',
    async (xff) => {
      const fastify = Fastify({ trustProxy: true });
      fastify.get('/', (request) => ({ fastify: request.ip, ours: clientAddress(request.raw) }));
      const res = await fastify.inject({
        method: 'GET',
        url: '/',
        headers: xff === undefined ? {} : { 'x-forwarded-for': xff },
      });
      const { fastify: expected, ours } = res.json<{ fastify: string; ours: string }>();
      expect(ours).toBe(expected);
      await fastify.close();
    },
  );
});

describe('installRedirectFrontDoor', () => {
  let server: Server;
  let base: string;
  let closing = false;
  const answered: { slug: string; request: RedirectRequest }[] = [];
  const controller = {
    respond(slug: string, request: RedirectRequest, res: ServerResponse) {
      answered.push({ slug, request });
      res.writeHead(302, { location: `https://landing.example/${slug}` }).end();
    },
  } as unknown as RedirectController;

  beforeAll(async () => {
    // Stands in for Fastify's listener: names itself in the answer.
    server = createServer((_req: IncomingMessage, res: ServerResponse) => {
      res.writeHead(200).end('fastify');
    });
    installRedirectFrontDoor(server, controller, () => closing);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  beforeEach(() => {
    answered.length = 0;
    closing = false;
  });

  const get = (path: string, init: RequestInit = {}) =>
    fetch(`${base}${path}`, { redirect: 'manual', ...init });

  it('answers GET and HEAD /r/<slug> itself, with the client address and headers', async () => {
    const res = await get('/r/aZ3kP9qL2x/?utm=1', {
      headers: {
        'x-forwarded-for': '203.0.113.9, 10.0.0.1',
        'user-agent': 'UA',
        referer: 'https://t.co/x',
      },
    });
    expect(res.status).toBe(302);
    expect((await get('/r/aZ3kP9qL2x', { method: 'HEAD' })).status).toBe(302);
    expect(answered.map((a) => a.slug)).toEqual(['aZ3kP9qL2x', 'aZ3kP9qL2x']);
    expect(answered[0]!.request).toMatchObject({
      method: 'GET',
      ip: '203.0.113.9',
      userAgent: 'UA',
      referer: 'https://t.co/x',
      requestId: expect.any(String),
    });
    expect(answered[1]!.request.method).toBe('HEAD');
  });

  it.each([
    ['another path', 'GET', '/v1/programs'],
    ['another method', 'POST', '/r/aZ3kP9qL2x'],
    ['an encoded slug', 'GET', '/r/has%20space'],
    ['a nested path', 'GET', '/r/aZ3kP9qL2x/more'],
    ['an overlong slug', 'GET', `/r/${'x'.repeat(65)}`],
  ])('passes %s on to Fastify', async (_name, method, path) => {
    const res = await get(path, { method });
    expect(await res.text()).toBe('fastify');
    expect(answered).toHaveLength(0);
  });

  it('passes redirects on to Fastify once the app is closing (it answers them 503)', async () => {
    closing = true;
    expect(await (await get('/r/aZ3kP9qL2x')).text()).toBe('fastify');
    expect(answered).toHaveLength(0);
  });
});
