import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { RewardApprovalJob } from '@/modules/rewards/reward-approval.job';
import { WebhookOutbox } from '@/modules/webhooks/webhook-outbox';
import { verifySignature } from '@/modules/webhooks/webhook-signature';
import { Brand, startApp, TestApp } from './helpers/app';
import {
  createAdvocate,
  createProgram,
  createTwoSidedRules,
  markPaid,
  purchaseEvent,
  refundEvent,
  sendEvent,
  uniqueId,
} from './helpers/event-factories';
import { eventually, sleep, TestReceiver } from './helpers/webhook-receiver';

const ALL_TYPES = [
  'referral.created',
  'referral.converted',
  'referral.rejected',
  'reward.created',
  'reward.approved',
  'reward.reversed',
  'reward.clawback',
  'payout_batch.created',
  'payout_batch.paid',
  'payout_batch.canceled',
];

describe('signed webhooks: endpoints, outbox, dispatcher', () => {
  let t: TestApp;
  let db: DataSource;
  const receivers: TestReceiver[] = [];
  beforeAll(async () => {
    t = await startApp({
      WEBHOOKS_ALLOW_HTTP_LOCALHOST: 'true',
      WEBHOOKS_DISPATCH_INTERVAL_MS: '50',
      WEBHOOKS_RETRY_BASE_MS: '100',
      WEBHOOKS_RETRY_MAX_DELAY_MS: '300',
      WEBHOOKS_TIMEOUT_MS: '500',
      REWARD_APPROVAL_INTERVAL_MS: '0',
    });
    db = t.app.get(DataSource);
  });
  afterAll(async () => {
    await t.close();
    for (const r of receivers) await r.close();
  });

  async function receiver(): Promise<TestReceiver> {
    const r = await TestReceiver.start();
    receivers.push(r);
    return r;
  }

  async function endpoint(brand: Brand, url: string, eventTypes = ALL_TYPES) {
    const res = await t.request('POST', '/v1/webhook-endpoints', {
      key: brand.key,
      body: { url, eventTypes, description: 'shop backend' },
    });
    expect(res.status).toBe(201);
    return res.body as { id: string; secret: string };
  }

  async function program(overrides: Record<string, unknown> = {}) {
    const brand = await t.createBrand();
    const p = await createProgram(t, brand, overrides);
    await createTwoSidedRules(t, p);
    const alice = await createAdvocate(t, p);
    return { brand, p, alice };
  }

  const deliveries = async (brand: Brand, endpointId: string, query = '') =>
    (
      await t.request('GET', `/v1/webhook-endpoints/${endpointId}/deliveries${query}`, {
        key: brand.key,
      })
    ).body;

  it('manages endpoints: the secret is shown once, URLs are checked, another brand gets 404', async () => {
    const brand = await t.createBrand();
    const created = await t.request('POST', '/v1/webhook-endpoints', {
      key: brand.key,
      body: { url: 'http://127.0.0.1:9/hooks', eventTypes: ['reward.created', 'reward.approved'] },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: expect.stringMatching(/^whe_/),
      url: 'http://127.0.0.1:9/hooks',
      eventTypes: ['reward.created', 'reward.approved'],
      enabled: true,
      disabledReason: null,
      consecutiveFailures: 0,
      description: null,
    });
    const { id, secret } = created.body;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(created.body.secretHint).toBe(`whsec_…${secret.slice(-4)}`);
    // stored encrypted, never readable again
    const [row] = await db.query('SELECT secret_ciphertext FROM webhook_endpoints WHERE id = $1', [
      id,
    ]);
    expect(row.secret_ciphertext).toMatch(/^v1\./);
    expect(row.secret_ciphertext).not.toContain(secret.slice(6));
    const read = await t.request('GET', `/v1/webhook-endpoints/${id}`, { key: brand.key });
    expect(read.body.secret).toBeUndefined();
    expect(read.body).toEqual({ ...created.body, secret: undefined });

    for (const [body, field] of [
      [{ url: 'http://shop.example.com/h', eventTypes: ['reward.created'] }, 'url'],
      [{ url: 'https://user:pw@shop.example.com/h', eventTypes: ['reward.created'] }, 'url'],
      [{ url: 'https://10.1.2.3/h', eventTypes: ['reward.created'] }, 'url'],
      [{ url: 'https://shop.example.com/h', eventTypes: ['reward.paid'] }, 'eventTypes'],
      [{ url: 'https://shop.example.com/h', eventTypes: [] }, 'eventTypes'],
      [{ url: 'https://shop.example.com/h' }, 'eventTypes'],
      [
        { url: 'https://shop.example.com/h', eventTypes: ['reward.created'], secret: 'x' },
        'secret',
      ],
    ] as const) {
      const res = await t.request('POST', '/v1/webhook-endpoints', { key: brand.key, body });
      expect([field, res.status]).toEqual([field, 400]);
      expect(res.body.error.details[0].field).toMatch(new RegExp(`^${field}`));
    }

    // PATCH: only what is sent; disable / enable; rotate the secret
    const patched = await t.request('PATCH', `/v1/webhook-endpoints/${id}`, {
      key: brand.key,
      body: { eventTypes: ['reward.approved'], enabled: false, description: 'finance' },
    });
    expect(patched.body).toMatchObject({
      url: 'http://127.0.0.1:9/hooks',
      eventTypes: ['reward.approved'],
      enabled: false,
      disabledReason: 'manual',
      description: 'finance',
    });
    expect(patched.body.secret).toBeUndefined();
    const enabled = await t.request('PATCH', `/v1/webhook-endpoints/${id}`, {
      key: brand.key,
      body: { enabled: true, description: null },
    });
    expect(enabled.body).toMatchObject({ enabled: true, disabledReason: null, description: null });
    const rotated = await t.request('PATCH', `/v1/webhook-endpoints/${id}`, {
      key: brand.key,
      body: { rotateSecret: true },
    });
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(secret);
    expect(
      (
        await t.request('PATCH', `/v1/webhook-endpoints/${id}`, {
          key: brand.key,
          body: { url: 'ftp://x' },
        })
      ).status,
    ).toBe(400);

    // a list with a cursor
    await endpoint(brand, 'http://localhost:9/second');
    const page1 = await t.request('GET', '/v1/webhook-endpoints?limit=1', { key: brand.key });
    const page2 = await t.request(
      'GET',
      `/v1/webhook-endpoints?limit=1&cursor=${page1.body.nextCursor}`,
      {
        key: brand.key,
      },
    );
    expect([...page1.body.data, ...page2.body.data].map((e: any) => e.url)).toEqual([
      'http://localhost:9/second',
      'http://127.0.0.1:9/hooks',
    ]);
    expect(page1.body.data[0].secret).toBeUndefined();

    // another brand, another scope
    const other = await t.createBrand();
    for (const [method, path, body] of [
      ['GET', `/v1/webhook-endpoints/${id}`, undefined],
      ['PATCH', `/v1/webhook-endpoints/${id}`, { enabled: false }],
      ['DELETE', `/v1/webhook-endpoints/${id}`, undefined],
      ['GET', `/v1/webhook-endpoints/${id}/deliveries`, undefined],
      ['GET', `/v1/webhook-endpoints/${id}/deliveries/dlv_0123456789abcdef0123`, undefined],
      ['POST', `/v1/webhook-endpoints/${id}/deliveries/dlv_0123456789abcdef0123/retry`, undefined],
      ['GET', '/v1/webhook-endpoints/whe_doesnotexist00000000', undefined],
    ] as const) {
      const res = await t.request(method, path, { key: other.key, body });
      expect([path, res.status, res.body.error.code]).toEqual([path, 404, 'not_found']);
    }
    expect((await t.request('GET', '/v1/webhook-endpoints', { key: other.key })).body.data).toEqual(
      [],
    );
    const track = (
      await t.request('POST', '/v1/api-keys', {
        key: brand.key,
        body: { name: 'shop', scopes: ['track'] },
      })
    ).body.secret;
    expect((await t.request('GET', '/v1/webhook-endpoints', { key: track })).status).toBe(403);

    expect(
      (await t.request('DELETE', `/v1/webhook-endpoints/${id}`, { key: brand.key })).status,
    ).toBe(204);
    expect((await t.request('GET', `/v1/webhook-endpoints/${id}`, { key: brand.key })).status).toBe(
      404,
    );
    expect(
      (await t.request('DELETE', `/v1/webhook-endpoints/${id}`, { key: brand.key })).status,
    ).toBe(404);
  });

  it('refuses a URL the parser would silently reshape (spaces, tabs, newlines, no //, port 0), on create and on PATCH', async () => {
    // These were accepted and stored as sent, so the endpoint showed an address other than the
    // one called ("https://shop.exam\tple.com" calls shop.example.com).
    const brand = await t.createBrand();
    const created = await endpoint(brand, 'https://shop.example.com/hooks');
    for (const [url, issue] of [
      ['  https://shop.example.com/hooks  ', 'must not contain spaces or control characters'],
      ['https://shop.example.com/hooks\n', 'must not contain spaces or control characters'],
      ['https://shop.exam\tple.com/hooks', 'must not contain spaces or control characters'],
      ['https:shop.example.com/hooks', 'must be an absolute https URL'],
      ['https://shop.example.com:0/hooks', 'must not use port 0'],
    ]) {
      const res = await t.request('POST', '/v1/webhook-endpoints', {
        key: brand.key,
        body: { url, eventTypes: ['reward.created'] },
      });
      expect([url, res.status, res.body.error?.details]).toEqual([
        url,
        400,
        [{ field: 'url', issue }],
      ]);
      const patched = await t.request('PATCH', `/v1/webhook-endpoints/${created.id}`, {
        key: brand.key,
        body: { url },
      });
      expect([url, patched.status]).toEqual([url, 400]);
    }
    const list = await t.request('GET', '/v1/webhook-endpoints', { key: brand.key });
    expect(list.body.data.map((e: { url: string }) => e.url)).toEqual([
      'https://shop.example.com/hooks',
    ]);
  });

  it('refuses http://localhost endpoints unless the development flag is set', async () => {
    const prod = await startApp({ WEBHOOKS_DISPATCH_INTERVAL_MS: '0' });
    try {
      const brand = await prod.createBrand();
      const res = await prod.request('POST', '/v1/webhook-endpoints', {
        key: brand.key,
        body: { url: 'http://127.0.0.1:4000/hooks', eventTypes: ['reward.created'] },
      });
      expect(res.status).toBe(400);
      expect(res.body.error.details).toEqual([{ field: 'url', issue: 'must be an https URL' }]);
    } finally {
      await prod.close();
    }
  });

  it('signs every delivery, sends the referral’s events in order with their payloads', async () => {
    const { brand, p, alice } = await program();
    const r = await receiver();
    const ep = await endpoint(brand, r.url);
    const customer = { id: uniqueId('cust'), email: 'friend@example.com' };
    const answer = (await sendEvent(t, brand, purchaseEvent({ code: alice.code, customer }))).body;
    await r.waitFor((got) => got.length >= 4, 'four events');
    expect(r.received.map((x) => x.json.type)).toEqual([
      'referral.created',
      'referral.converted',
      'reward.created',
      'reward.created',
    ]);
    for (const x of r.received) {
      expect(
        verifySignature(x.headers['tandem-signature'] as string, x.body, ep.secret),
      ).toMatchObject({
        ok: true,
      });
      expect(x.headers).toMatchObject({
        'content-type': 'application/json',
        'user-agent': 'Tandem-Webhooks/1.0',
        'tandem-event-id': x.json.id,
        'tandem-event-type': x.json.type,
        'tandem-attempt': '1',
      });
      expect(x.json.id).toMatch(/^wev_/);
      expect(x.headers['tandem-delivery-id']).toMatch(/^dlv_[0-9a-f]{20}$/);
      expect(Object.keys(x.json)).toEqual(['id', 'type', 'createdAt', 'data']);
    }
    expect(r.received[1]!.json.data).toMatchObject({
      id: answer.referral.id,
      programId: p.programId,
      advocateId: alice.id,
      advocateExternalId: alice.externalId,
      customerId: customer.id,
      status: 'converted',
      method: 'code',
      review: null,
    });
    const byRecipient = Object.fromEntries(
      r.ofType('reward.created').map((x) => [x.json.data.recipient, x.json.data]),
    );
    expect(byRecipient.advocate).toMatchObject({
      id: answer.rewards[0].id,
      kind: 'cash',
      amount: 1000,
      currency: 'USD',
      status: 'pending',
      referralId: answer.referral.id,
      customerId: customer.id,
      advocateExternalId: alice.externalId,
      eventId: answer.eventId,
      externalEventId: answer.id,
      availableAt: answer.rewards[0].availableAt,
    });
    expect(byRecipient.friend).toMatchObject({
      kind: 'coupon',
      percent: 15,
      couponCode: answer.rewards[1].couponCode,
    });

    // the deliveries API shows each with its one attempt and the receiver's answer
    const listed = await deliveries(brand, ep.id);
    expect(listed.data).toHaveLength(4);
    expect(listed.data[0]).toMatchObject({
      endpointId: ep.id,
      status: 'delivered',
      attemptCount: 1,
      nextAttemptAt: null,
      attempts: [
        { attempt: 1, statusCode: 200, responseExcerpt: 'ok', success: true, error: null },
      ],
    });
    // newest first
    expect(listed.data.map((d: any) => d.eventId)).toEqual(
      r.received.map((x) => x.json.id).reverse(),
    );
    const detail = await t.request(
      'GET',
      `/v1/webhook-endpoints/${ep.id}/deliveries/${listed.data[3].id}`,
      {
        key: brand.key,
      },
    );
    expect(detail.body.body).toEqual(r.received[0]!.json);
    expect(JSON.stringify(detail.body.body)).toBe(r.received[0]!.body);
    expect((await deliveries(brand, ep.id, '?eventType=reward.created')).data).toHaveLength(2);
    expect((await deliveries(brand, ep.id, '?status=failed')).data).toHaveLength(0);
    expect(
      (
        await t.request('GET', `/v1/webhook-endpoints/${ep.id}/deliveries?status=lost`, {
          key: brand.key,
        })
      ).status,
    ).toBe(400);
  });

  it('retries after a 500, with the same event id and body, and records both attempts', async () => {
    const { brand, alice } = await program();
    const r = await receiver();
    r.reply = (_req, i) => (i === 0 ? { status: 500, body: 'database down' } : { status: 204 });
    const ep = await endpoint(brand, r.url, ['referral.created']);
    await sendEvent(t, brand, purchaseEvent({ code: alice.code }));
    await r.waitFor((got) => got.length >= 2, 'a retry');
    const [first, second] = r.received;
    expect(second!.json).toEqual(first!.json);
    expect(second!.headers['tandem-event-id']).toBe(first!.headers['tandem-event-id']);
    expect(second!.headers['tandem-attempt']).toBe('2');
    expect(
      verifySignature(second!.headers['tandem-signature'] as string, second!.body, ep.secret).ok,
    ).toBe(true);
    const delivery = await eventually(async () => {
      const d = (await deliveries(brand, ep.id)).data[0];
      return d?.status === 'delivered' ? d : null;
    }, 'delivered');
    expect(delivery.attempts).toMatchObject([
      {
        attempt: 1,
        statusCode: 500,
        responseExcerpt: 'database down',
        error: 'answered 500',
        success: false,
      },
      { attempt: 2, statusCode: 204, responseExcerpt: null, error: null, success: true },
    ]);
    expect(delivery.attemptCount).toBe(2);
    await sleep(400);
    expect(r.received).toHaveLength(2);
  });

  it('retries after a timeout', async () => {
    const { brand, alice } = await program();
    const r = await receiver();
    r.reply = (_req, i) => (i === 0 ? { status: 200, delayMs: 1_500 } : { status: 200 });
    const ep = await endpoint(brand, r.url, ['referral.created']);
    await sendEvent(t, brand, purchaseEvent({ code: alice.code }));
    const delivery = await eventually(async () => {
      const d = (await deliveries(brand, ep.id)).data[0];
      return d?.status === 'delivered' ? d : null;
    }, 'delivered after a timeout');
    expect(delivery.attempts).toHaveLength(2);
    expect(delivery.attempts[0]).toMatchObject({
      statusCode: null,
      error: 'timeout after 500 ms',
      success: false,
    });
    expect(delivery.attempts[0].durationMs).toBeGreaterThanOrEqual(450);
    expect(delivery.attempts[1]).toMatchObject({ statusCode: 200, success: true });
  });

  it('sends nothing for a change that rolled back', async () => {
    const { brand, alice } = await program();
    const r = await receiver();
    await endpoint(brand, r.url);
    const outbox = t.app.get(WebhookOutbox);
    await expect(
      db.transaction(async (em) => {
        await outbox.enqueue(em, brand.id, 'payout_batch.created', { id: 'pob_rolledback' });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await db.transaction((em) =>
      outbox.enqueue(
        em,
        brand.id,
        'payout_batch.paid',
        { id: 'pob_committed' },
        { orderingKey: 'pob_committed' },
      ),
    );

    // An event whose transaction fails at COMMIT, after its webhooks were written.
    const fn = `tandem_test_fail_${brand.id.slice(4).toLowerCase()}`;
    await db.query(
      `CREATE FUNCTION ${fn}() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'simulated failure at commit'; END $$ LANGUAGE plpgsql`,
    );
    await db.query(
      `CREATE CONSTRAINT TRIGGER ${fn} AFTER INSERT ON webhook_deliveries DEFERRABLE INITIALLY DEFERRED
         FOR EACH ROW WHEN (NEW.brand_id = '${brand.id}') EXECUTE FUNCTION ${fn}()`,
    );
    const event = purchaseEvent({ code: alice.code });
    let failed;
    try {
      failed = await sendEvent(t, brand, event);
    } finally {
      await db.query(`DROP TRIGGER ${fn} ON webhook_deliveries`);
      await db.query(`DROP FUNCTION ${fn}()`);
    }
    expect(failed.status).toBe(500);
    expect(
      await db.query('SELECT 1 FROM events WHERE brand_id = $1 AND event_id = $2', [
        brand.id,
        event.id,
      ]),
    ).toEqual([]);

    await r.waitFor((got) => got.length >= 1, 'the committed event');
    await sleep(400);
    expect(r.received.map((x) => [x.json.type, x.json.data.id])).toEqual([
      ['payout_batch.paid', 'pob_committed'],
    ]);
    const stored = await db.query(
      `SELECT type, count(*)::int AS n FROM webhook_events WHERE brand_id = $1 GROUP BY type`,
      [brand.id],
    );
    expect(stored).toEqual([{ type: 'payout_batch.paid', n: 1 }]);

    // the same event again, now committing: delivered
    expect((await sendEvent(t, brand, event)).status).toBe(201);
    await r.waitFor((got) => got.length >= 5, 'the retried event');
  });

  it("holds a referral's later events until its earlier one is delivered; other referrals go on", async () => {
    const { brand, alice } = await program();
    const r = await receiver();
    const slow = { id: uniqueId('slow') };
    const fast = { id: uniqueId('fast') };
    let refusals = 0;
    r.reply = (req) => {
      if (
        req.json?.type === 'referral.created' &&
        req.json.data.customerId === slow.id &&
        refusals < 3
      ) {
        refusals += 1;
        return { status: 503 };
      }
      return { status: 200 };
    };
    await endpoint(brand, r.url);
    await sendEvent(t, brand, purchaseEvent({ code: alice.code, customer: slow }));
    await sendEvent(t, brand, purchaseEvent({ code: alice.code, customer: fast }));
    await r.waitFor(
      (got) => got.filter((x) => x.headers['tandem-attempt'] !== undefined).length >= 11,
      'all events',
    );
    await sleep(300);
    const of = (customer: string) =>
      r.received
        .filter((x) => x.json.data.customerId === customer)
        .map((x) => `${x.json.type}#${x.headers['tandem-attempt']}`);
    expect(of(slow.id)).toEqual([
      'referral.created#1',
      'referral.created#2',
      'referral.created#3',
      'referral.created#4',
      'referral.converted#1',
      'reward.created#1',
      'reward.created#1',
    ]);
    expect(of(fast.id)).toEqual([
      'referral.created#1',
      'referral.converted#1',
      'reward.created#1',
      'reward.created#1',
    ]);
    // the other referral did not wait for the slow one
    const lastFast = r.received.map((x) => x.json.data.customerId).lastIndexOf(fast.id);
    const slowDelivered = r.received.findIndex(
      (x) => x.json.data.customerId === slow.id && x.headers['tandem-attempt'] === '4',
    );
    expect(lastFast).toBeLessThan(slowDelivered);
  });

  it('announces approvals (by hand, by the job), refunds, clawbacks and rejections', async () => {
    const { brand, p, alice } = await program({ holdDays: 0 });
    const r = await receiver();
    await endpoint(brand, r.url, [
      'reward.approved',
      'reward.reversed',
      'reward.clawback',
      'referral.rejected',
    ]);
    const byHand = (await sendEvent(t, brand, purchaseEvent({ code: alice.code }))).body;
    await t.request('POST', `/v1/rewards/${byHand.rewards[0].id}/approve`, { key: brand.key });
    await r.waitFor((got) => got.length >= 1, 'the manual approval');
    expect(r.received[0]!.json).toMatchObject({
      type: 'reward.approved',
      data: { id: byHand.rewards[0].id, status: 'approved' },
    });

    const byJob = (await sendEvent(t, brand, purchaseEvent({ code: alice.code }))).body;
    await t.app.get(RewardApprovalJob).approveDue();
    await r.waitFor((got) => got.length >= 4, 'the job approvals');
    expect(new Set(r.ofType('reward.approved').map((x) => x.json.data.id))).toEqual(
      new Set([
        byHand.rewards[0].id,
        byHand.rewards[1].id,
        byJob.rewards[0].id,
        byJob.rewards[1].id,
      ]),
    );
    expect(r.ofType('reward.approved').every((x) => x.json.data.approvedAt)).toBe(true);

    // a refund before payment reverses; after payment it claws back
    const orderId = uniqueId('ord');
    const bought = (
      await sendEvent(
        t,
        brand,
        purchaseEvent({ code: alice.code, order: { id: orderId, amount: 5_000, currency: 'USD' } }),
      )
    ).body;
    await markPaid(t, bought.rewards[0].id);
    await sendEvent(t, brand, refundEvent(orderId, 5_000));
    await r.waitFor((got) => got.some((x) => x.json.type === 'reward.clawback'), 'the clawback');
    await r.waitFor((got) => got.some((x) => x.json.type === 'reward.reversed'), 'the reversal');
    expect(r.ofType('reward.reversed').map((x) => x.json.data)).toEqual([
      expect.objectContaining({
        id: bought.rewards[1].id,
        status: 'reversed',
        recipient: 'friend',
      }),
    ]);
    expect(r.ofType('reward.clawback').map((x) => x.json.data)).toEqual([
      expect.objectContaining({
        clawbackOf: bought.rewards[0].id,
        amount: -1000,
        status: 'approved',
      }),
    ]);

    // a self-referral is rejected at once
    const self = (
      await sendEvent(
        t,
        brand,
        purchaseEvent({ code: alice.code, customer: { id: alice.externalId } }),
      )
    ).body;
    await r.waitFor((got) => got.some((x) => x.json.type === 'referral.rejected'), 'the rejection');
    expect(r.ofType('referral.rejected')[0]!.json.data).toMatchObject({
      id: self.referral.id,
      programId: p.programId,
      status: 'rejected',
      reason: 'self_referral',
    });
    // nothing it did not subscribe to
    expect(r.ofType('reward.created')).toEqual([]);
  });

  it('announces payout batches when created and when paid, with clawbacks found at payment', async () => {
    const { brand, alice } = await program({ holdDays: 0 });
    const r = await receiver();
    await endpoint(brand, r.url, [
      'payout_batch.created',
      'payout_batch.paid',
      'reward.clawback',
      'reward.reversed',
    ]);
    const orderId = uniqueId('ord');
    const bought = (
      await sendEvent(
        t,
        brand,
        purchaseEvent({ code: alice.code, order: { id: orderId, amount: 5_000, currency: 'USD' } }),
      )
    ).body;
    await t.app.get(RewardApprovalJob).approveDue();
    const cutoff = new Date(Date.now() + 1000).toISOString();
    const created = await t.request('POST', '/v1/payout-batches', {
      key: brand.key,
      headers: { 'idempotency-key': uniqueId('batch') },
      body: { currency: 'USD', cutoff },
    });
    expect(created.status).toBe(201);
    // the order is refunded while its reward sits in the open batch: a clawback at payment
    await sendEvent(t, brand, refundEvent(orderId, 5_000));
    const paid = await t.request('POST', `/v1/payout-batches/${created.body.id}/mark-paid`, {
      key: brand.key,
      body: { reference: 'wire-77' },
    });
    expect(paid.status).toBe(200);
    // paying again changes nothing and announces nothing
    await t.request('POST', `/v1/payout-batches/${created.body.id}/mark-paid`, {
      key: brand.key,
      body: {},
    });
    await r.waitFor((got) => got.length >= 5, 'the batch events');
    await new Promise((resolve) => setTimeout(resolve, 300));
    // In order per subject (the batch's events; the referral's rewards), not across them.
    const types = (prefix: string) =>
      r.received.map((x) => x.json.type as string).filter((type) => type.startsWith(prefix));
    expect(types('payout_batch')).toEqual(['payout_batch.created', 'payout_batch.paid']);
    // both rewards of the order (the friend's coupon too), then the cash reward's clawback
    expect(types('reward')).toEqual(['reward.reversed', 'reward.reversed', 'reward.clawback']);
    // The reward as GET /v1/rewards/:id shows it, with the open batch that holds it and what
    // that batch pays for it (taken before the refund).
    const reversed = r
      .ofType('reward.reversed')
      .map((x) => x.json.data)
      .find((d: any) => d.id === bought.rewards[0].id);
    expect(reversed).toMatchObject({
      id: bought.rewards[0].id,
      status: 'reversed',
      reversedAmount: 1000,
      payoutBatchId: created.body.id,
      payoutAmount: 1000,
    });
    const shown = await t.request('GET', `/v1/rewards/${bought.rewards[0].id}`, { key: brand.key });
    expect(Object.keys(reversed)).toEqual(expect.arrayContaining(Object.keys(shown.body)));
    expect(r.ofType('payout_batch.created')[0]!.json.data).toMatchObject({
      id: created.body.id,
      currency: 'USD',
      status: 'created',
    });
    expect(r.ofType('payout_batch.paid')[0]!.json.data).toMatchObject({
      id: created.body.id,
      status: 'paid',
      reference: 'wire-77',
    });
    expect(r.ofType('reward.clawback')[0]!.json.data).toMatchObject({
      clawbackOf: bought.rewards[0].id,
      amount: -1000,
    });
  });

  it('announces a canceled batch once, after its creation', async () => {
    const { brand, alice } = await program({ holdDays: 0 });
    const r = await receiver();
    await endpoint(brand, r.url, ['payout_batch.created', 'payout_batch.canceled']);
    await sendEvent(t, brand, purchaseEvent({ code: alice.code }));
    await t.app.get(RewardApprovalJob).approveDue();
    const created = await t.request('POST', '/v1/payout-batches', {
      key: brand.key,
      headers: { 'idempotency-key': uniqueId('batch') },
      body: { currency: 'USD', cutoff: new Date(Date.now() + 1000).toISOString() },
    });
    expect(created.status).toBe(201);
    for (let i = 0; i < 2; i++) {
      const canceled = await t.request('POST', `/v1/payout-batches/${created.body.id}/cancel`, {
        key: brand.key,
      });
      expect(canceled.status).toBe(200);
    }
    await r.waitFor((got) => got.length >= 2, 'the batch events');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(r.received.map((x) => x.json.type)).toEqual([
      'payout_batch.created',
      'payout_batch.canceled',
    ]);
    expect(r.ofType('payout_batch.canceled')[0]!.json.data).toMatchObject({
      id: created.body.id,
      status: 'canceled',
      canceledAt: expect.any(String),
    });
  });

  it('delivers to the README example receiver, which refuses a replayed or altered request', async () => {
    const { brand, alice } = await program();
    const capture = await receiver();
    const ep = await endpoint(brand, capture.url, ['reward.approved']);
    const port = await freePort();
    const example = spawn(
      process.execPath,
      [join(__dirname, '..', 'examples', 'webhook-receiver.js')],
      {
        env: {
          ...process.env,
          TANDEM_WEBHOOK_SECRET: ep.secret,
          PORT: String(port),
          TOLERANCE_SECONDS: '1',
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const lines: any[] = [];
    let pending = '';
    example.stdout!.on('data', (chunk: Buffer) => {
      const parts = (pending + chunk.toString()).split('\n');
      pending = parts.pop()!;
      for (const line of parts.filter(Boolean)) lines.push(JSON.parse(line));
    });
    try {
      await eventually(async () => lines.find((l) => l.listening), 'the example receiver');
      // a real request captured first, to replay later
      const [first, second] = (await sendEvent(t, brand, purchaseEvent({ code: alice.code }))).body
        .rewards;
      await t.request('POST', `/v1/rewards/${first.id}/approve`, { key: brand.key });
      await capture.waitFor((got) => got.length === 1, 'the captured request');
      const captured = capture.received[0]!;

      await t.request('PATCH', `/v1/webhook-endpoints/${ep.id}`, {
        key: brand.key,
        body: { url: `http://127.0.0.1:${port}/tandem` },
      });
      await t.request('POST', `/v1/rewards/${second.id}/approve`, { key: brand.key });
      const verified = await eventually(
        async () => lines.find((l) => l.verified),
        'a verified event',
      );
      expect(verified).toMatchObject({
        type: 'reward.approved',
        data: { id: second.id, status: 'approved' },
      });

      await sleep(2_100); // the captured request is now older than the tolerance window
      const post = (body: string, signature: string) =>
        fetch(`http://127.0.0.1:${port}/tandem`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'tandem-signature': signature,
            'tandem-event-id': 'x',
          },
          body,
        }).then((res) => res.status);
      const signature = captured.headers['tandem-signature'] as string;
      expect(await post(captured.body, signature)).toBe(400); // replayed
      expect(await post(captured.body.replace('"approved"', '"paid"'), signature)).toBe(400); // altered
      await eventually(
        async () => lines.filter((l) => l.rejected).length === 2,
        'two rejections logged',
      );
      expect(lines.filter((l) => l.verified)).toHaveLength(1);
    } finally {
      example.kill();
    }
  });

  it('documents the routes in OpenAPI', async () => {
    const doc = (await t.request('GET', '/docs-json')).body;
    for (const path of [
      '/v1/webhook-endpoints',
      '/v1/webhook-endpoints/{id}',
      '/v1/webhook-endpoints/{id}/deliveries',
      '/v1/webhook-endpoints/{id}/deliveries/{deliveryId}',
      '/v1/webhook-endpoints/{id}/deliveries/{deliveryId}/retry',
    ]) {
      expect(doc.paths[path]).toBeDefined();
    }
    expect(doc.paths['/v1/webhook-endpoints'].post.description).toContain('Tandem-Signature');
    expect(doc.components.schemas.WebhookEndpointWithSecretDto.properties.secret).toBeDefined();
    expect(doc.components.schemas.WebhookEndpointWithSecretDto.required).toContain('secret');
    // a PATCH answers the secret only when it rotates it: a client generated from the document
    // must not expect it on every PATCH (it was documented as required)
    const patched = doc.paths['/v1/webhook-endpoints/{id}'].patch.responses['200'].content[
      'application/json'
    ].schema.$ref
      .split('/')
      .pop();
    expect(doc.components.schemas[patched].properties.secret).toBeDefined();
    expect(doc.components.schemas[patched].required).not.toContain('secret');
    // the README shows the example receiver the test above runs, verbatim
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    const example = readFileSync(join(__dirname, '..', 'examples', 'webhook-receiver.js'), 'utf8');
    expect(readme).toContain(example);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
