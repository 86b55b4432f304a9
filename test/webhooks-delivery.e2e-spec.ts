import { lookup } from 'node:dns/promises';
import { hostname } from 'node:os';
import { DataSource } from 'typeorm';
import { WebhookDispatcher } from '@/modules/webhooks/webhook-dispatcher';
import { isPrivateAddress } from '@/modules/webhooks/webhook-url';
import { Brand, startApp, TestApp } from './helpers/app';
import {
  createAdvocate,
  createProgram,
  createTwoSidedRules,
  purchaseEvent,
  sendEvent,
} from './helpers/event-factories';
import { eventually, sleep, TestReceiver } from './helpers/webhook-receiver';

// Every app of this file runs the same settings: a 400 ms retry window, endpoints disabled
// after 2 deliveries failed for good.
const SETTINGS = {
  WEBHOOKS_ALLOW_HTTP_LOCALHOST: 'true',
  WEBHOOKS_DISPATCH_INTERVAL_MS: '40',
  WEBHOOKS_RETRY_BASE_MS: '50',
  WEBHOOKS_RETRY_MAX_DELAY_MS: '100',
  WEBHOOKS_RETRY_WINDOW_MS: '400',
  WEBHOOKS_DISABLE_AFTER_FAILURES: '2',
  WEBHOOKS_TIMEOUT_MS: '1000',
};

describe('webhook deliveries: giving up, disabling, manual retry, several instances', () => {
  let t: TestApp;
  let db: DataSource;
  let r: TestReceiver;
  beforeAll(async () => {
    t = await startApp(SETTINGS);
    db = t.app.get(DataSource);
    r = await TestReceiver.start();
  });
  afterAll(async () => {
    await t.close();
    await r.close();
  });

  async function setup(eventTypes: string[], url = r.url) {
    const brand = await t.createBrand();
    const p = await createProgram(t, brand);
    await createTwoSidedRules(t, p);
    const alice = await createAdvocate(t, p);
    const ep = await t.request('POST', '/v1/webhook-endpoints', {
      key: brand.key,
      body: { url, eventTypes },
    });
    expect(ep.status).toBe(201);
    return { brand, alice, endpointId: ep.body.id as string };
  }
  const deliveries = async (brand: Brand, endpointId: string, query = '') =>
    (
      await t.request('GET', `/v1/webhook-endpoints/${endpointId}/deliveries${query}`, {
        key: brand.key,
      })
    ).body.data as any[];

  it('gives up after the retry window, disables the endpoint after repeated failures, and re-sends on demand', async () => {
    r.reply = () => ({ status: 500, body: 'down for maintenance' });
    const { brand, alice, endpointId } = await setup(['referral.created']);
    await sendEvent(t, brand, purchaseEvent({ code: alice.code }));
    await sendEvent(t, brand, purchaseEvent({ code: alice.code }));
    const endpoint = await eventually(async () => {
      const e = (await t.request('GET', `/v1/webhook-endpoints/${endpointId}`, { key: brand.key }))
        .body;
      return e.enabled ? null : e;
    }, 'the endpoint disabled');
    expect(endpoint).toMatchObject({
      enabled: false,
      disabledReason: 'failing',
      consecutiveFailures: 2,
    });
    expect(endpoint.disabledAt).not.toBeNull();
    const failed = await deliveries(brand, endpointId);
    expect(failed.map((d) => d.status)).toEqual(['failed', 'failed']);
    for (const d of failed) {
      expect(d.failedAt).not.toBeNull();
      expect(d.nextAttemptAt).toBeNull();
      expect(d.attempts.length).toBeGreaterThanOrEqual(2);
      expect(d.attempts.every((a: any) => a.statusCode === 500 && !a.success)).toBe(true);
      expect(d.attempts[0].responseExcerpt).toBe('down for maintenance');
    }

    // while disabled: nothing new is queued for it, and a re-send is refused
    await sendEvent(t, brand, purchaseEvent({ code: alice.code }));
    expect(await deliveries(brand, endpointId)).toHaveLength(2);
    const refused = await t.request(
      'POST',
      `/v1/webhook-endpoints/${endpointId}/deliveries/${failed[0].id}/retry`,
      { key: brand.key },
    );
    expect(refused.status).toBe(409);

    // the receiver is back: enable the endpoint and re-send one failed delivery
    r.reply = () => ({ status: 200 });
    const enabled = await t.request('PATCH', `/v1/webhook-endpoints/${endpointId}`, {
      key: brand.key,
      body: { enabled: true },
    });
    expect(enabled.body).toMatchObject({
      enabled: true,
      disabledReason: null,
      consecutiveFailures: 0,
    });
    const attemptsBefore = failed[0].attempts.length;
    const retried = await t.request(
      'POST',
      `/v1/webhook-endpoints/${endpointId}/deliveries/${failed[0].id}/retry`,
      { key: brand.key },
    );
    expect(retried.status).toBe(202);
    expect(retried.body).toMatchObject({ id: failed[0].id, status: 'pending' });
    expect(retried.body.body.type).toBe('referral.created');
    const delivered = await eventually(async () => {
      const d = (await deliveries(brand, endpointId)).find((x) => x.id === failed[0].id);
      return d?.status === 'delivered' ? d : null;
    }, 'the re-sent delivery');
    expect(delivered.attempts).toHaveLength(attemptsBefore + 1);
    expect(delivered.attempts.at(-1)).toMatchObject({ statusCode: 200, success: true });
    // the other failed delivery stays failed: only what is asked for is re-sent
    await sleep(200);
    expect((await deliveries(brand, endpointId)).find((x) => x.id === failed[1].id).status).toBe(
      'failed',
    );
    // a delivered one can be re-sent too (one more attempt)
    const again = await t.request(
      'POST',
      `/v1/webhook-endpoints/${endpointId}/deliveries/${failed[0].id}/retry`,
      { key: brand.key },
    );
    expect(again.status).toBe(202);
    await eventually(async () => {
      const d = (await deliveries(brand, endpointId)).find((x) => x.id === failed[0].id);
      return d?.status === 'delivered' && d.attempts.length === attemptsBefore + 2;
    }, 'the second re-send');
    expect(
      (
        await t.request(
          'POST',
          `/v1/webhook-endpoints/${endpointId}/deliveries/dlv_0123456789abcdef0123/retry`,
          { key: brand.key },
        )
      ).status,
    ).toBe(404);
  });

  it('refuses destinations that resolve to private networks at send time', async () => {
    r.reply = () => ({ status: 200 });
    // The machine's own host name is accepted at creation (a name, not an address), but it
    // resolves to a loopback or private address: every attempt is refused, nothing is sent.
    const host = hostname();
    const resolved = await lookup(host).catch(() => null);
    const before = r.received.length;
    const { brand, alice, endpointId } = await setup(
      ['referral.created'],
      `https://${host}:${new URL(r.url).port}/hooks`,
    );
    await sendEvent(t, brand, purchaseEvent({ code: alice.code }));
    const [delivery] = await eventually(async () => {
      const d = await deliveries(brand, endpointId);
      return d[0]?.attempts.length ? d : null;
    }, 'an attempt');
    expect(delivery.attempts[0]).toMatchObject({ statusCode: null, success: false });
    expect(delivery.attempts[0].error).toBe(
      resolved && isPrivateAddress(resolved.address)
        ? `destination refused: ${host} resolves to a private network address`
        : delivery.attempts[0].error,
    );
    expect(r.received.length).toBe(before);
  });

  it('several instances deliver every event exactly once between them, in order per referral', async () => {
    r.reply = () => ({ status: 200 });
    const others = [await startApp(SETTINGS), await startApp(SETTINGS)];
    try {
      const { brand, alice, endpointId } = await setup([
        'referral.created',
        'referral.converted',
        'reward.created',
      ]);
      const before = r.received.length;
      const events = Array.from({ length: 15 }, () => purchaseEvent({ code: alice.code }));
      await t.request('POST', '/v1/events/batch', { key: brand.key, body: { events } });
      // 15 referrals × (created, converted, 2 rewards)
      await r.waitFor((got) => got.length - before >= 60, '60 deliveries', 30_000);
      await Promise.all([t, ...others].map((a) => a.app.get(WebhookDispatcher).drain()));
      await sleep(300);
      const mine = r.received.slice(before);
      expect(mine).toHaveLength(60);
      expect(new Set(mine.map((x) => x.json.id)).size).toBe(60);
      expect(mine.every((x) => x.headers['tandem-attempt'] === '1')).toBe(true);
      const perReferral = new Map<string, string[]>();
      for (const x of mine) {
        const key = x.json.data.referralId ?? x.json.data.id;
        perReferral.set(key, [...(perReferral.get(key) ?? []), x.json.type]);
      }
      expect(perReferral.size).toBe(15);
      for (const types of perReferral.values()) {
        expect(types.slice(0, 2)).toEqual(['referral.created', 'referral.converted']);
      }
      const rows = await db.query(
        `SELECT status, attempts, count(*)::int AS n FROM webhook_deliveries
          WHERE endpoint_id = $1 GROUP BY status, attempts`,
        [endpointId],
      );
      expect(rows).toEqual([{ status: 'delivered', attempts: 1, n: 60 }]);
    } finally {
      for (const a of others) await a.close();
    }
  });

  it('pages deliveries newest first with a cursor', async () => {
    r.reply = () => ({ status: 200 });
    const { brand, alice, endpointId } = await setup(['reward.created']);
    for (let i = 0; i < 3; i += 1) await sendEvent(t, brand, purchaseEvent({ code: alice.code }));
    await eventually(
      async () => (await deliveries(brand, endpointId)).length === 6,
      'six deliveries',
    );
    const all = await deliveries(brand, endpointId);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await t.request(
        'GET',
        `/v1/webhook-endpoints/${endpointId}/deliveries?limit=4${cursor ? `&cursor=${cursor}` : ''}`,
        { key: brand.key },
      );
      seen.push(...page.body.data.map((d: any) => d.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.map((d) => d.id));
    const bad = await t.request(
      'GET',
      `/v1/webhook-endpoints/${endpointId}/deliveries?cursor=${Buffer.from('{"k":"x","id":"dlv_1"}').toString('base64url')}`,
      { key: brand.key },
    );
    expect(bad.status).toBe(400);
  });
});
