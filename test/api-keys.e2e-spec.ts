import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { startApp, TestApp } from './helpers/app';

describe('API keys', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(() => t.close());

  it('creates a key whose secret is shown once and stored only as its SHA-256', async () => {
    const brand = await t.createBrand();
    const created = await t.request('POST', '/v1/api-keys', {
      key: brand.key,
      body: { name: 'Checkout', scopes: ['track'] },
    });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^tdm_[A-Za-z0-9]{40}$/);
    expect(created.body).toMatchObject({
      name: 'Checkout',
      scopes: ['track'],
      revokedAt: null,
      lastUsedAt: null,
    });
    expect(created.body.prefix).toBe(created.body.secret.slice(0, 12));

    const list = await t.request('GET', '/v1/api-keys', { key: brand.key });
    expect(list.status).toBe(200);
    expect(list.body.data.map((k: any) => k.id)).toContain(created.body.id);
    expect(list.text).not.toContain(created.body.secret);

    const rows = await t.app
      .get(DataSource)
      .query('SELECT * FROM api_keys WHERE id = $1', [created.body.id]);
    expect(rows[0].secret_hash).toBe(
      createHash('sha256').update(created.body.secret).digest('hex'),
    );
    expect(JSON.stringify(rows[0])).not.toContain(created.body.secret);
  });

  it('answers 401 without a key or with a wrong one, in the error format', async () => {
    const missing = await t.request('GET', '/v1/api-keys');
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({
      error: { code: 'unauthorized', message: expect.any(String), details: [] },
    });
    const wrong = await t.request('GET', '/v1/api-keys', { key: 'tdm_not-a-real-key' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('unauthorized');
    const malformed = await t.request('GET', '/v1/api-keys', {
      headers: { authorization: 'Basic abc' },
    });
    expect(malformed.status).toBe(401);
  });

  it('answers 403 when the key lacks the scope, and admin passes', async () => {
    const brand = await t.createBrand();
    for (const scope of ['track', 'finance', 'read']) {
      const key = await t.request('POST', '/v1/api-keys', {
        key: brand.key,
        body: { name: scope, scopes: [scope] },
      });
      const res = await t.request('GET', '/v1/api-keys', { key: key.body.secret });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    }
    expect((await t.request('GET', '/v1/api-keys', { key: brand.key })).status).toBe(200);
  });

  it('revokes a key: it stops working at once, and revoking again is harmless', async () => {
    const brand = await t.createBrand();
    const extra = await t.request('POST', '/v1/api-keys', {
      key: brand.key,
      body: { name: 'Second admin', scopes: ['admin'] },
    });
    expect((await t.request('GET', '/v1/api-keys', { key: extra.body.secret })).status).toBe(200);
    const del = await t.request('DELETE', `/v1/api-keys/${extra.body.id}`, { key: brand.key });
    expect(del.status).toBe(204);
    expect((await t.request('GET', '/v1/api-keys', { key: extra.body.secret })).status).toBe(401);
    expect(
      (await t.request('DELETE', `/v1/api-keys/${extra.body.id}`, { key: brand.key })).status,
    ).toBe(204);
    const list = await t.request('GET', '/v1/api-keys', { key: brand.key });
    expect(list.body.data.find((k: any) => k.id === extra.body.id).revokedAt).toEqual(
      expect.any(String),
    );
  });

  it("refuses to revoke the brand's last active admin key", async () => {
    const brand = await t.createBrand();
    const list = await t.request('GET', '/v1/api-keys', { key: brand.key });
    const res = await t.request('DELETE', `/v1/api-keys/${list.body.data[0].id}`, {
      key: brand.key,
    });
    expect(res.status).toBe(409);
    expect(res.body.error.details).toEqual([
      { field: 'id', issue: 'is the last active admin key' },
    ]);
  });

  it("answers 404 for another brand's key, exactly as for a missing one", async () => {
    const a = await t.createBrand();
    const b = await t.createBrand();
    const bKey = await t.request('POST', '/v1/api-keys', {
      key: b.key,
      body: { name: 'B', scopes: ['read'] },
    });
    const cross = await t.request('DELETE', `/v1/api-keys/${bKey.body.id}`, { key: a.key });
    const missing = await t.request('DELETE', '/v1/api-keys/key_doesnotexist0000000', {
      key: a.key,
    });
    expect(cross.status).toBe(404);
    expect(cross.body).toEqual(missing.body);
    // B's key still works and A's list does not show it.
    expect((await t.request('GET', '/v1/api-keys', { key: bKey.body.secret })).status).toBe(403);
    const aList = await t.request('GET', '/v1/api-keys', { key: a.key });
    expect(aList.body.data.map((k: any) => k.id)).not.toContain(bKey.body.id);
  });

  it('records when a key was last used', async () => {
    const brand = await t.createBrand();
    await t.request('GET', '/v1/api-keys', { key: brand.key });
    await new Promise((r) => setTimeout(r, 200));
    const list = await t.request('GET', '/v1/api-keys', { key: brand.key });
    expect(list.body.data[0].lastUsedAt).toEqual(expect.any(String));
  });

  it('pages the list with limit and cursor', async () => {
    const brand = await t.createBrand();
    for (let i = 0; i < 4; i++) {
      await t.request('POST', '/v1/api-keys', {
        key: brand.key,
        body: { name: `k${i}`, scopes: ['read'] },
      });
    }
    const first = await t.request('GET', '/v1/api-keys?limit=2', { key: brand.key });
    expect(first.body.data).toHaveLength(2);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await t.request('GET', `/v1/api-keys?limit=2&cursor=${first.body.nextCursor}`, {
      key: brand.key,
    });
    const third = await t.request('GET', `/v1/api-keys?limit=2&cursor=${second.body.nextCursor}`, {
      key: brand.key,
    });
    const ids = [...first.body.data, ...second.body.data, ...third.body.data].map((k: any) => k.id);
    expect(new Set(ids).size).toBe(5);
    expect(third.body.nextCursor).toBeNull();
    const bad = await t.request('GET', '/v1/api-keys?cursor=garbage', { key: brand.key });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe('cursor');
    const tooMany = await t.request('GET', '/v1/api-keys?limit=501', { key: brand.key });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.details[0].field).toBe('limit');
  });

  it('rejects bad key requests naming each field and writes nothing', async () => {
    const brand = await t.createBrand();
    const res = await t.request('POST', '/v1/api-keys', {
      key: brand.key,
      body: { name: '', scopes: ['admin', 'root'], color: 'red' },
    });
    expect(res.status).toBe(400);
    const fields = res.body.error.details.map((d: any) => d.field);
    expect(fields).toEqual(expect.arrayContaining(['name', 'scopes', 'color']));
    const list = await t.request('GET', '/v1/api-keys', { key: brand.key });
    expect(list.body.data).toHaveLength(1);
  });
});
