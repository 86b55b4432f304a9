import { DataSource } from 'typeorm';
import { newId } from '@/common/ids';
import { startApp, TestApp } from './helpers/app';
import type { Brand } from './helpers/app';
import {
  AdvocateSetup,
  createAdvocate,
  createProgram,
  createRule,
  ProgramSetup,
  refundEvent,
  sendEvent,
} from './helpers/event-factories';
import { approve, createBatch, createdBatch, createKey, earn, soon } from './helpers/payouts';

describe('payout batches: nothing paid twice, every cent accounted for', () => {
  let t: TestApp;
  let db: DataSource;
  beforeAll(async () => {
    t = await startApp({ REWARD_APPROVAL_INTERVAL_MS: '0' });
    db = t.app.get(DataSource);
  });
  afterAll(() => t.close());

  /** A brand with a finance key and a program giving the advocate `amount` cash per purchase. */
  async function setup(
    options: { amount?: number; currency?: string; program?: Record<string, unknown> } = {},
  ): Promise<{ brand: Brand; finance: string; p: ProgramSetup }> {
    const brand = await t.createBrand();
    const finance = await createKey(t, brand, ['finance']);
    const p = await addProgram(brand, options);
    return { brand, finance, p };
  }

  async function addProgram(
    brand: Brand,
    options: { amount?: number; currency?: string; program?: Record<string, unknown> } = {},
  ): Promise<ProgramSetup> {
    const p = await createProgram(t, brand, {
      holdDays: 0,
      currency: options.currency ?? 'USD',
      ...options.program,
    });
    await createRule(t, p, {
      trigger: { event: 'purchase' },
      recipient: 'advocate',
      reward: { kind: 'cash', amount: options.amount ?? 1000 },
    });
    // a friend reward too: friends are never paid through payouts
    await createRule(t, p, {
      trigger: { event: 'purchase' },
      recipient: 'friend',
      reward: { kind: 'credit', amount: 500 },
    });
    return p;
  }

  const itemsOf = (batchId: string) =>
    db.query(
      `SELECT reward_id, advocate_id, amount::int AS amount FROM payout_batch_items
        WHERE batch_id = $1 ORDER BY reward_id`,
      [batchId],
    );

  const rewardsById = async (ids: string[]) => {
    const rows: any[] = await db.query(
      `SELECT id, status, payout_batch_id, paid_at FROM rewards WHERE id = ANY($1::text[])`,
      [ids],
    );
    return new Map(rows.map((r) => [r.id, r]));
  };

  it('takes every approved cash reward up to the cutoff, grouped per advocate, and nothing else', async () => {
    const { brand, finance, p } = await setup();
    const alice = await createAdvocate(t, p);
    const bob = await createAdvocate(t, p);
    const a1 = await earn(t, p, alice);
    const a2 = await earn(t, p, alice);
    const b1 = await earn(t, p, bob);
    const pendingOne = await earn(t, p, bob, { approve: false });
    await new Promise((r) => setTimeout(r, 20));
    const cutoff = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    const late = await earn(t, p, bob); // approved after the cutoff

    const created = await createBatch(t, finance, { currency: 'USD', cutoff });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: expect.stringMatching(/^pob_/),
      status: 'created',
      currency: 'USD',
      cutoff,
      programId: null,
      minimumAmount: null,
      totals: { advocates: 2, rewards: 3, amount: 3000, clawbackAmount: 0 },
      carried: { advocates: 0, amount: 0 },
      idempotencyKey: null,
      reference: null,
      exportedAt: null,
      paidAt: null,
      canceledAt: null,
    });
    const batchId = created.body.id;
    const items = await itemsOf(batchId);
    expect(items.map((i: any) => i.reward_id).sort()).toEqual(
      [a1.reward.id, a2.reward.id, b1.reward.id].sort(),
    );
    const batchOf = async (rewardId: string) =>
      (await t.request('GET', `/v1/rewards/${rewardId}`, { key: brand.key })).body;
    expect(await batchOf(a1.reward.id)).toMatchObject({
      status: 'approved',
      payoutBatchId: batchId,
    });
    expect((await batchOf(pendingOne.reward.id)).payoutBatchId).toBeNull();
    expect((await batchOf(late.reward.id)).payoutBatchId).toBeNull();
    const inBatch = await t.request('GET', `/v1/rewards?status=approved`, { key: finance });
    expect(
      inBatch.body.data.filter((r: any) => r.payoutBatchId === batchId).map((r: any) => r.id),
    ).toHaveLength(3);

    // friends' credit rewards are approved too, but never paid out
    const friendRewards: any[] = await db.query(
      `SELECT id FROM rewards WHERE brand_id = $1 AND recipient = 'friend'`,
      [brand.id],
    );
    for (const f of friendRewards)
      await t.request('POST', `/v1/rewards/${f.id}/approve`, { key: brand.key });

    // the next batch takes what came later, and never the same reward twice
    const next = await createBatch(t, finance, { currency: 'USD', cutoff: soon() });
    expect(next.status).toBe(201);
    expect(next.body.totals).toEqual({ advocates: 1, rewards: 1, amount: 1000, clawbackAmount: 0 });
    expect((await itemsOf(next.body.id)).map((i: any) => i.reward_id)).toEqual([late.reward.id]);

    const again = await createBatch(t, finance, { currency: 'USD', cutoff: soon() });
    expect(again.status).toBe(422);
    expect(again.body.error).toMatchObject({
      code: 'unprocessable',
      details: [{ field: 'cutoff', issue: expect.stringContaining('no approved, payable USD') }],
    });

    const got = await t.request('GET', `/v1/payout-batches/${batchId}`, { key: finance });
    expect(got.status).toBe(200);
    expect(got.body).toEqual(created.body);
  });

  it('leaves out advocates below the minimum and pays them once they reach it', async () => {
    const { finance, p } = await setup();
    const alice = await createAdvocate(t, p);
    const bob = await createAdvocate(t, p);
    await earn(t, p, alice);
    await earn(t, p, alice);
    await earn(t, p, bob);
    await earn(t, p, bob);
    await earn(t, p, bob);

    const first = await createdBatch(t, finance, {
      currency: 'USD',
      cutoff: soon(),
      minimumAmount: 2500,
    });
    expect(first).toMatchObject({
      minimumAmount: 2500,
      totals: { advocates: 1, rewards: 3, amount: 3000 },
      carried: { advocates: 1, amount: 2000 },
    });
    const paidTo = await db.query(
      'SELECT DISTINCT advocate_id FROM payout_batch_items WHERE batch_id = $1',
      [first.id],
    );
    expect(paidTo).toEqual([{ advocate_id: bob.id }]);

    const belowAgain = await createBatch(t, finance, {
      currency: 'USD',
      cutoff: soon(),
      minimumAmount: 2500,
    });
    expect(belowAgain.status).toBe(422);
    expect(belowAgain.body.error.details[0]).toMatchObject({
      field: 'minimumAmount',
      issue: expect.stringContaining('1 advocate(s) with 20.00 USD net'),
    });

    await earn(t, p, alice);
    const second = await createdBatch(t, finance, {
      currency: 'USD',
      cutoff: soon(),
      minimumAmount: 2500,
    });
    expect(second).toMatchObject({
      totals: { advocates: 1, rewards: 3, amount: 3000 },
      carried: { advocates: 0, amount: 0 },
    });
  });

  it("uses the program's minimum payout when the request sets none", async () => {
    const { brand, finance, p } = await setup({
      program: { minimumPayout: { amount: 1500, currency: 'USD' } },
    });
    const other = await addProgram(brand); // no minimum
    const alice = await createAdvocate(t, p);
    const bob = await createAdvocate(t, other);
    await earn(t, p, alice); // 10.00 < 15.00 in her program
    await earn(t, other, bob); // 10.00, no minimum
    const batch = await createdBatch(t, finance, { currency: 'USD', cutoff: soon() });
    expect(batch).toMatchObject({
      totals: { advocates: 1, amount: 1000 },
      carried: { advocates: 1, amount: 1000 },
    });
    // a request's minimum overrides the programs'
    const override = await createdBatch(t, finance, {
      currency: 'USD',
      cutoff: soon(),
      minimumAmount: 0,
    });
    expect(override.totals).toMatchObject({ advocates: 1, amount: 1000 });
  });

  async function paidBatchWith(finance: string, ...earned: { reward: any }[]) {
    const batch = await createdBatch(t, finance, { currency: 'USD', cutoff: soon() });
    expect(batch.totals.rewards).toBe(earned.length);
    const paid = await t.request('POST', `/v1/payout-batches/${batch.id}/mark-paid`, {
      key: finance,
      body: {},
    });
    expect(paid.status).toBe(200);
    return paid.body;
  }

  it('nets a clawback out of the next batch, and carries an advocate while negative', async () => {
    const { brand, finance, p } = await setup();
    const alice = await createAdvocate(t, p);
    const bob = await createAdvocate(t, p);
    const a1 = await earn(t, p, alice);
    const b1 = await earn(t, p, bob);
    await paidBatchWith(finance, a1, b1);

    // both purchases refunded after payment: clawbacks of 10.00 each
    for (const { orderId } of [a1, b1]) {
      const refund = await sendEvent(t, brand, refundEvent(orderId, 12_900));
      expect(refund.body.rewards).toEqual([
        expect.objectContaining({ recipient: 'advocate', amount: -1000, status: 'approved' }),
      ]);
    }
    // alice earns 20.00 more; bob nothing
    await earn(t, p, alice);
    await earn(t, p, alice);

    const next = await createdBatch(t, finance, { currency: 'USD', cutoff: soon() });
    expect(next).toMatchObject({
      totals: { advocates: 1, rewards: 3, amount: 1000, clawbackAmount: -1000 },
      carried: { advocates: 1, amount: -1000 },
    });
    const lines = await db.query(
      `SELECT advocate_id, amount::int, reward_count, clawback_amount::int
         FROM payout_batch_advocates WHERE batch_id = $1`,
      [next.id],
    );
    expect(lines).toEqual([
      { advocate_id: alice.id, amount: 1000, reward_count: 3, clawback_amount: -1000 },
    ]);

    // bob's clawback waits until he earns enough to cover it
    await earn(t, p, bob);
    await earn(t, p, bob);
    const third = await createdBatch(t, finance, { currency: 'USD', cutoff: soon() });
    expect(third).toMatchObject({
      totals: { advocates: 1, rewards: 3, amount: 1000, clawbackAmount: -1000 },
      carried: { advocates: 0 },
    });
  });

  it('pays a batch in one currency only: one batch per currency', async () => {
    const { brand, finance, p } = await setup({ amount: 1000 });
    const eur = await addProgram(brand, { currency: 'EUR', amount: 2000 });
    const jpy = await addProgram(brand, { currency: 'JPY', amount: 700 });
    const alice = await createAdvocate(t, p);
    await t.request('POST', `/v1/programs/${eur.programId}/enrollments`, {
      key: brand.key,
      body: { advocateId: alice.id },
    });
    const aliceEur = { ...alice, code: await codeOf(brand, eur, alice) };
    const aliceJpy = await createAdvocate(t, jpy);
    await earn(t, p, alice);
    await earn(t, eur, aliceEur, { currency: 'EUR' });
    await earn(t, eur, aliceEur, { currency: 'EUR' });
    await earn(t, jpy, aliceJpy, { currency: 'JPY', orderAmount: 5000 });

    const usd = await createdBatch(t, finance, { currency: 'USD', cutoff: soon() });
    const euros = await createdBatch(t, finance, { currency: 'EUR', cutoff: soon() });
    const yen = await createdBatch(t, finance, { currency: 'JPY', cutoff: soon() });
    expect([usd.totals, euros.totals, yen.totals]).toEqual([
      { advocates: 1, rewards: 1, amount: 1000, clawbackAmount: 0 },
      { advocates: 1, rewards: 2, amount: 4000, clawbackAmount: 0 },
      { advocates: 1, rewards: 1, amount: 700, clawbackAmount: 0 },
    ]);
    const mixed = await db.query(
      `SELECT b.currency, array_agg(DISTINCT w.currency) AS currencies
         FROM payout_batches b JOIN payout_batch_items i ON i.batch_id = b.id
         JOIN rewards w ON w.id = i.reward_id
        WHERE b.brand_id = $1 GROUP BY b.currency ORDER BY b.currency`,
      [brand.id],
    );
    expect(mixed).toEqual([
      { currency: 'EUR', currencies: ['EUR'] },
      { currency: 'JPY', currencies: ['JPY'] },
      { currency: 'USD', currencies: ['USD'] },
    ]);
    // a program filter in another currency is refused
    const wrong = await createBatch(t, finance, {
      currency: 'USD',
      cutoff: soon(),
      programId: eur.programId,
    });
    expect(wrong.status).toBe(422);
    expect(wrong.body.error.details).toEqual([
      { field: 'programId', issue: 'is a program in EUR, not USD' },
    ]);
  });

  async function codeOf(brand: Brand, p: ProgramSetup, a: AdvocateSetup): Promise<string> {
    const rows = await db.query(
      'SELECT code FROM enrollments WHERE brand_id = $1 AND program_id = $2 AND advocate_id = $3',
      [brand.id, p.programId, a.id],
    );
    return rows[0].code;
  }

  it('takes only the given program when programId is set', async () => {
    const { brand, finance, p } = await setup();
    const other = await addProgram(brand);
    const alice = await createAdvocate(t, p);
    const bob = await createAdvocate(t, other);
    const a1 = await earn(t, p, alice);
    await earn(t, other, bob);
    const batch = await createdBatch(t, finance, {
      currency: 'USD',
      cutoff: soon(),
      programId: p.programId,
    });
    expect(batch.programId).toBe(p.programId);
    expect((await itemsOf(batch.id)).map((i: any) => i.reward_id)).toEqual([a1.reward.id]);
  });

  it('concurrent batch requests never share a reward', async () => {
    const { brand, finance, p } = await setup();
    const other = await addProgram(brand);
    const advocates = await Promise.all([
      createAdvocate(t, p),
      createAdvocate(t, p),
      createAdvocate(t, other),
    ]);
    const earned: string[] = [];
    for (const a of advocates) {
      const prog = a === advocates[2] ? other : p;
      for (let i = 0; i < 3; i += 1) earned.push((await earn(t, prog, a)).reward.id);
    }
    const cutoff = soon();
    const bodies = [
      { currency: 'USD', cutoff },
      { currency: 'USD', cutoff, programId: p.programId },
      { currency: 'USD', cutoff, programId: other.programId },
      { currency: 'USD', cutoff, minimumAmount: 100 },
      { currency: 'USD', cutoff },
      { currency: 'USD', cutoff, programId: p.programId },
    ];
    const answers = await Promise.all(
      bodies.map((body, i) => createBatch(t, finance, body, `concurrent-${i}`)),
    );
    expect(answers.map((a) => a.status).sort()).toEqual(expect.arrayContaining([201]));
    for (const a of answers) expect([201, 422]).toContain(a.status);
    const batches = answers.filter((a) => a.status === 201).map((a) => a.body);

    const rows: any[] = await db.query(
      `SELECT reward_id, batch_id FROM payout_batch_items WHERE batch_id = ANY($1::text[])`,
      [batches.map((b) => b.id)],
    );
    const rewardIds = rows.map((r) => r.reward_id);
    expect(new Set(rewardIds).size).toBe(rewardIds.length); // no reward in two batches
    expect(rewardIds.sort()).toEqual([...earned].sort()); // and every one in some batch
    for (const b of batches) {
      const own = rows.filter((r) => r.batch_id === b.id).length;
      expect(own).toBe(b.totals.rewards);
    }
    const total = batches.reduce((s, b) => s + b.totals.amount, 0);
    expect(total).toBe(earned.length * 1000);
  });

  it('a reward cannot be in two open batches even by a direct insert: the unique index', async () => {
    const { finance, p } = await setup();
    const alice = await createAdvocate(t, p);
    const a1 = await earn(t, p, alice);
    const batch = await createdBatch(t, finance, { currency: 'USD', cutoff: soon() });
    const { id: brandId } = p.brand;
    await expect(
      db.query(
        `INSERT INTO payout_batch_items (batch_id, advocate_id, reward_id, brand_id, amount)
         VALUES ($1, $2, $3, $4, 1000)`,
        [newId('payoutBatch'), alice.id, a1.reward.id, brandId],
      ),
    ).rejects.toMatchObject({ driverError: { constraint: 'payout_batch_items_reward_key' } });
    // once the batch is canceled, its items no longer hold the reward
    await t.request('POST', `/v1/payout-batches/${batch.id}/cancel`, { key: finance });
    const again = await createdBatch(t, finance, { currency: 'USD', cutoff: soon() });
    expect((await itemsOf(again.id)).map((i: any) => i.reward_id)).toEqual([a1.reward.id]);
  });

  it('the same Idempotency-Key answers the same batch; another body answers 409', async () => {
    const { brand, finance, p } = await setup();
    const alice = await createAdvocate(t, p);
    await earn(t, p, alice);
    const cutoff = soon();
    const body = { currency: 'USD', cutoff, minimumAmount: 0 };
    const [first, concurrent] = await Promise.all([
      createBatch(t, finance, body, 'month-2026-11'),
      createBatch(t, finance, body, 'month-2026-11'),
    ]);
    expect([first.status, concurrent.status].sort()).toEqual([200, 201]);
    expect(concurrent.body.id).toBe(first.body.id);
    const replayed = first.status === 200 ? first : concurrent;
    expect(replayed.headers.get('idempotent-replay')).toBe('true');
    expect(replayed.body.idempotencyKey).toBe('month-2026-11');

    // the same request in another spelling is the same request
    const respelled = await createBatch(
      t,
      finance,
      {
        minimumAmount: 0,
        currency: 'USD',
        cutoff: new Date(cutoff).toISOString().replace('Z', '+00:00'),
      },
      'month-2026-11',
    );
    expect(respelled.status).toBe(200);
    expect(respelled.body.id).toBe(first.body.id);

    const other = await createBatch(t, finance, { ...body, minimumAmount: 1 }, 'month-2026-11');
    expect(other.status).toBe(409);
    expect(other.body.error).toMatchObject({
      code: 'idempotency_conflict',
      details: [{ field: 'Idempotency-Key', issue: 'was already used with a different body' }],
    });
    // keys are per brand
    const brand2 = await t.createBrand();
    const p2 = await addProgram(brand2);
    await earn(t, p2, await createAdvocate(t, p2));
    const elsewhere = await createBatch(t, brand2.key, body, 'month-2026-11');
    expect(elsewhere.status).toBe(201);
    expect(elsewhere.body.id).not.toBe(first.body.id);

    for (const bad of ['has space', 'x'.repeat(201), 'é']) {
      const res = await t.request('POST', '/v1/payout-batches', {
        key: finance,
        body,
        headers: { 'idempotency-key': bad },
      });
      expect(res.status).toBe(400);
      expect(res.body.error.details[0].field).toBe('Idempotency-Key');
    }
    const listed = await t.request('GET', '/v1/payout-batches', { key: brand.key });
    expect(listed.body.data).toHaveLength(1);
  });

  it('cancel releases the rewards; canceled batches cannot be paid, paid ones not canceled', async () => {
    const { brand, finance, p } = await setup();
    const alice = await createAdvocate(t, p);
    const a1 = await earn(t, p, alice);
    const batch = await createdBatch(t, finance, { currency: 'USD', cutoff: soon() });
    const exported = await t.request('GET', `/v1/payout-batches/${batch.id}/export`, {
      key: finance,
    });
    expect(exported.status).toBe(200);

    const canceled = await t.request('POST', `/v1/payout-batches/${batch.id}/cancel`, {
      key: finance,
    });
    expect(canceled.status).toBe(200);
    expect(canceled.body).toMatchObject({ status: 'canceled', canceledAt: expect.any(String) });
    const reward = await t.request('GET', `/v1/rewards/${a1.reward.id}`, { key: brand.key });
    expect(reward.body).toMatchObject({ status: 'approved', payoutBatchId: null });
    const again = await t.request('POST', `/v1/payout-batches/${batch.id}/cancel`, {
      key: finance,
    });
    expect(again.status).toBe(200);
    expect(again.body.canceledAt).toBe(canceled.body.canceledAt);

    for (const [path, body] of [
      ['mark-paid', {}],
      ['export', undefined],
    ] as const) {
      const res =
        body === undefined
          ? await t.request('GET', `/v1/payout-batches/${batch.id}/${path}`, { key: finance })
          : await t.request('POST', `/v1/payout-batches/${batch.id}/${path}`, {
              key: finance,
              body,
            });
      expect(res.status).toBe(409);
      expect(res.body.error).toMatchObject({
        code: 'invalid_status_transition',
        details: [{ field: 'status', issue: 'is canceled' }],
      });
    }

    const next = await createdBatch(t, finance, { currency: 'USD', cutoff: soon() });
    expect((await itemsOf(next.id)).map((i: any) => i.reward_id)).toEqual([a1.reward.id]);
    await t.request('POST', `/v1/payout-batches/${next.id}/mark-paid`, { key: finance, body: {} });
    const cancelPaid = await t.request('POST', `/v1/payout-batches/${next.id}/cancel`, {
      key: finance,
    });
    expect(cancelPaid.status).toBe(409);
    expect(cancelPaid.body.error.details).toEqual([{ field: 'status', issue: 'is paid' }]);
  });

  it('rejecting a reward in an open batch is refused', async () => {
    const { brand, finance, p } = await setup();
    const a1 = await earn(t, p, await createAdvocate(t, p));
    await createdBatch(t, finance, { currency: 'USD', cutoff: soon() });
    const rejected = await t.request('POST', `/v1/rewards/${a1.reward.id}/reject`, {
      key: brand.key,
      body: { reason: 'late fraud signal' },
    });
    expect(rejected.status).toBe(409);
  });

  it('a reward cannot be rejected while a batch taking it is being written', async () => {
    const { brand, p } = await setup();
    const alice = await createAdvocate(t, p);
    const a1 = await earn(t, p, alice);
    // a batch creation in progress: its transaction holds the lock and has written the item
    const qr = db.createQueryRunner();
    await qr.connect();
    await qr.startTransaction();
    try {
      await qr.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
        `payouts:${brand.id}`,
      ]);
      const batchId = newId('payoutBatch');
      await qr.query(
        `INSERT INTO payout_batches (id, brand_id, status, currency, cutoff, request_hash)
         VALUES ($1, $2, 'created', 'USD', now(), repeat('0', 64))`,
        [batchId, brand.id],
      );
      await qr.query(
        `INSERT INTO payout_batch_items (batch_id, advocate_id, reward_id, brand_id, amount)
         VALUES ($1, $2, $3, $4, 1000)`,
        [batchId, alice.id, a1.reward.id, brand.id],
      );
      let settled = false;
      const rejecting = t
        .request('POST', `/v1/rewards/${a1.reward.id}/reject`, {
          key: brand.key,
          body: { reason: 'too late' },
        })
        .then((res) => {
          settled = true;
          return res;
        });
      await new Promise((r) => setTimeout(r, 300));
      expect(settled).toBe(false); // waiting for the batch
      await qr.commitTransaction();
      const rejected = await rejecting;
      expect(rejected.status).toBe(409);
      expect(rejected.body.error.message).toContain('it is in a payout batch');
    } finally {
      if (qr.isTransactionActive) await qr.rollbackTransaction();
      await qr.release();
    }
  });

  it('mark-paid pays every reward of the batch once; twice changes nothing', async () => {
    const { brand, finance, p } = await setup();
    const alice = await createAdvocate(t, p);
    const a1 = await earn(t, p, alice);
    const a2 = await earn(t, p, alice);
    const batch = await createdBatch(t, finance, { currency: 'USD', cutoff: soon() });

    const future = await t.request('POST', `/v1/payout-batches/${batch.id}/mark-paid`, {
      key: finance,
      body: { paidAt: new Date(Date.now() + 3_600_000).toISOString() },
    });
    expect(future.status).toBe(400);
    expect(future.body.error.details[0].field).toBe('paidAt');
    const before = await t.request('POST', `/v1/payout-batches/${batch.id}/mark-paid`, {
      key: finance,
      body: { paidAt: '2020-01-01T00:00:00Z' },
    });
    expect(before.status).toBe(400);
    expect(before.body.error.details[0].issue).toContain('before the batch was created');
    const bad = await t.request('POST', `/v1/payout-batches/${batch.id}/mark-paid`, {
      key: finance,
      body: { reference: '', extra: 1 },
    });
    expect(bad.status).toBe(400);

    const paidAt = new Date(Date.now() + 1000).toISOString();
    const [first, second] = await Promise.all([
      t.request('POST', `/v1/payout-batches/${batch.id}/mark-paid`, {
        key: finance,
        body: { paidAt, reference: 'SEPA-001' },
      }),
      t.request('POST', `/v1/payout-batches/${batch.id}/mark-paid`, {
        key: finance,
        body: { reference: 'SEPA-002' },
      }),
    ]);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.body.paidAt).toBe(first.body.paidAt);
    expect(second.body.reference).toBe(first.body.reference);
    const third = await t.request('POST', `/v1/payout-batches/${batch.id}/mark-paid`, {
      key: finance,
      body: {},
    });
    expect(third.body).toEqual(first.body);
    expect(third.body.status).toBe('paid');

    const rewards = await rewardsById([a1.reward.id, a2.reward.id]);
    for (const r of rewards.values()) {
      expect(r.status).toBe('paid');
      expect(r.payout_batch_id).toBe(batch.id);
      expect(new Date(r.paid_at).toISOString()).toBe(third.body.paidAt);
    }
    const listed = await t.request('GET', `/v1/rewards?status=paid`, { key: brand.key });
    expect(listed.body.data).toHaveLength(2);
  });

  it('mark-paid takes no body, or an empty JSON one, like {}; a body that is not an object is a 400', async () => {
    const { finance, p } = await setup();
    const alice = await createAdvocate(t, p);
    await earn(t, p, alice);
    const batch = await createdBatch(t, finance, { currency: 'USD', cutoff: soon() });
    const path = `/v1/payout-batches/${batch.id}/mark-paid`;
    for (const [rawBody, issue] of [
      ['[]', 'must be a JSON object (send Content-Type: application/json)'],
      ['"SEPA-1"', 'must be a JSON object (send Content-Type: application/json)'],
    ]) {
      const res = await t.request('POST', path, {
        key: finance,
        rawBody,
        headers: { 'content-type': 'application/json' },
      });
      expect([rawBody, res.status, res.body.error.details]).toEqual([
        rawBody,
        400,
        [{ field: 'body', issue }],
      ]);
    }
    const unknown = await t.request('POST', path, { key: finance, body: { referenc: 'x' } });
    expect(unknown.body.error.details).toEqual([
      { field: 'referenc', issue: 'is not an allowed field' },
    ]);
    const nul = await t.request('POST', path, { key: finance, body: { reference: 'a\u0000b' } });
    expect(nul.status).toBe(400);
    expect(nul.body.error.details[0].field).toBe('reference');
    expect(
      (await t.request('GET', `/v1/payout-batches/${batch.id}`, { key: finance })).body,
    ).toEqual(batch);

    // no body at all (curl -X POST without -d): paid now, no reference
    const before = Date.now();
    const paid = await t.request('POST', path, { key: finance });
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ status: 'paid', reference: null });
    expect(Date.parse(paid.body.paidAt)).toBeGreaterThanOrEqual(before - 1000);
    // An empty JSON body and JSON null read as no body too, and a trimmed reference as given:
    // each replays the batch
    for (const options of [
      { rawBody: '', headers: { 'content-type': 'application/json' } },
      { rawBody: 'null', headers: { 'content-type': 'application/json' } },
      { body: { reference: '  SEPA-1  ' } },
    ]) {
      const again = await t.request('POST', path, { key: finance, ...options });
      expect([again.status, again.body]).toEqual([200, paid.body]);
    }
    const second = await createdBatch(t, finance, {
      currency: 'USD',
      cutoff: soon(),
    }).catch((e: Error) => e.message);
    expect(second).toContain('422'); // nothing left to pay: everything was paid once

    const doc = (await t.request('GET', '/docs-json')).body;
    const op = doc.paths['/v1/payout-batches/{id}/mark-paid'].post;
    expect(op.requestBody).toMatchObject({
      required: false,
      content: {
        'application/json': { schema: { $ref: '#/components/schemas/MarkPaidDto' } },
      },
    });
  });

  it("leaves a banned advocate's rewards and clawbacks out of batches until unbanned", async () => {
    const { brand, finance, p } = await setup();
    const alice = await createAdvocate(t, p);
    const bob = await createAdvocate(t, p);
    // bob was paid 10.00, refunded after payment (a clawback of -10.00), and earned 30.00 since
    const b1 = await earn(t, p, bob);
    await paidBatchWith(finance, b1);
    await sendEvent(t, brand, refundEvent(b1.orderId, 12_900));
    const bobs = [await earn(t, p, bob), await earn(t, p, bob), await earn(t, p, bob)];
    const a1 = await earn(t, p, alice);
    const ban = await t.request('PATCH', `/v1/advocates/${bob.id}`, {
      key: brand.key,
      body: { status: 'banned' },
    });
    expect(ban.status).toBe(200);

    const batch = await createdBatch(t, finance, { currency: 'USD', cutoff: soon() });
    expect(batch).toMatchObject({
      totals: { advocates: 1, rewards: 1, amount: 1000, clawbackAmount: 0 },
      carried: { advocates: 0, amount: 0 },
      banned: { advocates: 1, amount: 2000 },
    });
    expect(await itemsOf(batch.id)).toEqual([
      { reward_id: a1.reward.id, advocate_id: alice.id, amount: 1000 },
    ]);
    expect(
      (await t.request('GET', `/v1/payout-batches/${batch.id}`, { key: finance })).body,
    ).toEqual(batch);
    // bob's money is still there, approved and unpaid, in no batch
    const balance = await t.request(
      'GET',
      `/v1/payouts/balances?currency=USD&advocateId=${bob.id}`,
      {
        key: finance,
      },
    );
    expect(balance.body.data).toEqual([
      expect.objectContaining({
        approvedUnpaid: 3000,
        inOpenBatches: 0,
        paid: 1000,
        clawbacksOutstanding: -1000,
      }),
    ]);
    const listed = await t.request('GET', `/v1/rewards?advocateId=${bob.id}&status=approved`, {
      key: finance,
    });
    expect(listed.body.data).toHaveLength(4); // three rewards and the clawback
    for (const r of listed.body.data) expect(r.payoutBatchId).toBeNull();
    await t.request('POST', `/v1/payout-batches/${batch.id}/mark-paid`, { key: finance, body: {} });

    // only bob has something to pay while he is banned: nothing to pay, and the answer says why
    const none = await createBatch(t, finance, { currency: 'USD', cutoff: soon() });
    expect(none.status).toBe(422);
    expect(none.body.error.details).toEqual([
      {
        field: 'cutoff',
        issue:
          'no approved, payable USD reward available at or before it is in no batch except ' +
          'those of banned advocates: 1 banned advocate(s) with 20.00 USD net are left out ' +
          'until they are unbanned',
      },
    ]);
    // next to advocates carried below the minimum, both are counted apart
    const carol = await createAdvocate(t, p);
    await earn(t, p, carol);
    const below = await createBatch(t, finance, {
      currency: 'USD',
      cutoff: soon(),
      minimumAmount: 1500,
    });
    expect(below.status).toBe(422);
    expect(below.body.error.details[0]).toEqual({
      field: 'minimumAmount',
      issue:
        '1 advocate(s) with 10.00 USD net are below the minimum payout or at 0 or less; they ' +
        'are carried to a later batch; 1 banned advocate(s) with 20.00 USD net are left out ' +
        'until they are unbanned',
    });

    const unban = await t.request('PATCH', `/v1/advocates/${bob.id}`, {
      key: brand.key,
      body: { status: 'active' },
    });
    expect(unban.status).toBe(200);
    const next = await createdBatch(t, finance, {
      currency: 'USD',
      cutoff: soon(),
      minimumAmount: 1500,
    });
    expect(next).toMatchObject({
      totals: { advocates: 1, rewards: 4, amount: 2000, clawbackAmount: -1000 },
      carried: { advocates: 1, amount: 1000 },
      banned: { advocates: 0, amount: 0 },
    });
    const items = await itemsOf(next.id);
    expect(items.map((i: any) => i.advocate_id)).toEqual([bob.id, bob.id, bob.id, bob.id]);
    expect(items.map((i: any) => i.reward_id)).toEqual(
      expect.arrayContaining(bobs.map((e) => e.reward.id)),
    );
  });

  it('a refund while the reward sits in a batch becomes a clawback when the batch is paid', async () => {
    const { brand, finance, p } = await setup();
    await createRule(t, p, {
      trigger: { event: 'purchase' },
      recipient: 'advocate',
      reward: { kind: 'cash', percent: 10 },
    });
    const alice = await createAdvocate(t, p);
    const earned = await earn(t, p, alice); // 10.00 fixed + 12.90 percent
    const advocateRewards: { id: string; percent: string | null }[] = await db.query(
      `SELECT id, percent FROM rewards WHERE event_id = $1 AND recipient = 'advocate'`,
      [earned.eventId],
    );
    for (const r of advocateRewards) await approve(t, brand, r.id);
    const percent = advocateRewards.find((r) => r.percent !== null)!.id;
    const batch = await createdBatch(t, finance, { currency: 'USD', cutoff: soon() });
    expect(batch.totals.amount).toBe(2290);

    // a third of the order refunded: the percent reward loses 4.30 while in the batch
    const refund = await sendEvent(t, brand, refundEvent(earned.orderId, 4_300));
    expect(refund.body.reversed).toEqual([
      expect.objectContaining({ rewardId: percent, amount: 430, status: 'approved' }),
    ]);
    // the batch still says what it said
    const exported = await t.request(
      'GET',
      `/v1/payout-batches/${batch.id}/export?format=json&detail=advocates`,
      { key: finance },
    );
    expect(JSON.parse(exported.text.trim()).amountMinor).toBe(2290);

    await t.request('POST', `/v1/payout-batches/${batch.id}/mark-paid`, { key: finance, body: {} });
    const clawbacks: any[] = await db.query(
      `SELECT amount::int, status, clawback_of, event_id FROM rewards WHERE brand_id = $1 AND clawback_of IS NOT NULL`,
      [brand.id],
    );
    expect(clawbacks).toEqual([
      { amount: -430, status: 'approved', clawback_of: percent, event_id: refund.body.eventId },
    ]);
    // and the next batch nets it
    const more = await earn(t, p, alice); // one of its two advocate rewards approved
    const next = await createdBatch(t, finance, { currency: 'USD', cutoff: soon() });
    expect(next.totals).toMatchObject({ amount: more.reward.amount - 430, clawbackAmount: -430 });
  });

  it('answers 400 naming the field, 404 for other brands, 403 without the finance scope', async () => {
    const { brand, finance, p } = await setup();
    await earn(t, p, await createAdvocate(t, p));
    for (const [body, field] of [
      [{ cutoff: soon() }, 'currency'],
      [{ currency: 'usd', cutoff: soon() }, 'currency'],
      [{ currency: 'USD' }, 'cutoff'],
      [{ currency: 'USD', cutoff: 'yesterday' }, 'cutoff'],
      [{ currency: 'USD', cutoff: soon(), minimumAmount: -1 }, 'minimumAmount'],
      [{ currency: 'USD', cutoff: soon(), minimumAmount: 1.5 }, 'minimumAmount'],
      [{ currency: 'USD', cutoff: soon(), status: 'paid' }, 'status'],
    ] as const) {
      const res = await createBatch(t, finance, body);
      expect(res.status).toBe(400);
      expect(res.body.error.details.map((d: any) => d.field)).toContain(field);
    }
    const unknownProgram = await createBatch(t, finance, {
      currency: 'USD',
      cutoff: soon(),
      programId: 'prg_00000000000000000000',
    });
    expect(unknownProgram.status).toBe(404);

    const batch = await createdBatch(t, finance, { currency: 'USD', cutoff: soon() });
    const stranger = await t.createBrand();
    const strangerProgram = await addProgram(stranger);
    const foreignProgram = await createBatch(t, finance, {
      currency: 'USD',
      cutoff: soon(),
      programId: strangerProgram.programId,
    });
    expect(foreignProgram.status).toBe(404);
    const requests: [string, string, unknown?][] = [
      ['GET', `/v1/payout-batches/${batch.id}`],
      ['GET', `/v1/payout-batches/${batch.id}/export`],
      ['GET', `/v1/payout-batches/${batch.id}/export?format=json&detail=rewards`],
      ['POST', `/v1/payout-batches/${batch.id}/mark-paid`, {}],
      ['POST', `/v1/payout-batches/${batch.id}/cancel`],
    ];
    for (const [method, path, body] of requests) {
      const res = await t.request(method, path, { key: stranger.key, body });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
    expect((await t.request('GET', '/v1/payout-batches', { key: stranger.key })).body.data).toEqual(
      [],
    );
    const missing = await t.request('GET', '/v1/payout-batches/pob_missing', { key: finance });
    expect(missing.status).toBe(404);

    const readOnly = await createKey(t, brand, ['read']);
    const track = await createKey(t, brand, ['track']);
    for (const key of [readOnly, track]) {
      for (const [method, path, body] of [
        ['POST', '/v1/payout-batches', { currency: 'USD', cutoff: soon() }],
        ['GET', '/v1/payout-batches'],
        ...requests,
        ['GET', '/v1/payouts/balances?currency=USD'],
      ] as [string, string, unknown?][]) {
        const res = await t.request(method, path, { key, body });
        expect(res.status).toBe(403);
        expect(res.body.error.code).toBe('forbidden');
      }
    }
    // the batch is untouched by all of that
    const after = await t.request('GET', `/v1/payout-batches/${batch.id}`, { key: brand.key });
    expect(after.body.status).toBe('created');
  });

  it('lists batches newest first with status and currency filters and a cursor', async () => {
    const { brand, finance, p } = await setup();
    const alice = await createAdvocate(t, p);
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      await earn(t, p, alice);
      ids.push((await createdBatch(t, finance, { currency: 'USD', cutoff: soon() })).id);
    }
    await t.request('POST', `/v1/payout-batches/${ids[0]}/cancel`, { key: finance });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await t.request(
        'GET',
        `/v1/payout-batches?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        { key: finance },
      );
      expect(page.status).toBe(200);
      seen.push(...page.body.data.map((b: any) => b.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
    const canceled = await t.request('GET', '/v1/payout-batches?status=canceled', {
      key: brand.key,
    });
    expect(canceled.body.data.map((b: any) => b.id)).toEqual([ids[0]]);
    const eur = await t.request('GET', '/v1/payout-batches?currency=EUR', { key: finance });
    expect(eur.body.data).toEqual([]);
    for (const bad of ['status=lost', 'currency=usd', 'limit=0', 'cursor=abc']) {
      const res = await t.request('GET', `/v1/payout-batches?${bad}`, { key: finance });
      expect(res.status).toBe(400);
    }
  });

  it('documents every payout route in OpenAPI, with the finance scope', async () => {
    const doc = (await t.request('GET', '/docs-json')).body;
    const routes: [string, string][] = [
      ['/v1/payout-batches', 'post'],
      ['/v1/payout-batches', 'get'],
      ['/v1/payout-batches/{id}', 'get'],
      ['/v1/payout-batches/{id}/export', 'get'],
      ['/v1/payout-batches/{id}/mark-paid', 'post'],
      ['/v1/payout-batches/{id}/cancel', 'post'],
      ['/v1/payouts/balances', 'get'],
    ];
    for (const [path, method] of routes) {
      const op = doc.paths[path]?.[method];
      expect([path, method, op?.['x-scopes']]).toEqual([path, method, ['finance']]);
      expect(op.summary).toEqual(expect.any(String));
      expect(op.responses['403']).toBeDefined();
    }
    const create = doc.paths['/v1/payout-batches'].post;
    expect(create.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'Idempotency-Key', in: 'header' })]),
    );
    expect(Object.keys(create.responses)).toEqual(
      expect.arrayContaining(['200', '201', '400', '404', '409', '422']),
    );
    const exported = doc.paths['/v1/payout-batches/{id}/export'].get;
    expect(Object.keys(exported.responses['200'].content)).toEqual([
      'text/csv',
      'application/x-ndjson',
    ]);
    expect(exported.parameters.map((p: any) => p.name)).toEqual(
      expect.arrayContaining(['id', 'format', 'detail']),
    );
    expect(Object.keys(doc.components.schemas.PayoutBatchDto.properties)).toEqual(
      expect.arrayContaining(['id', 'status', 'currency', 'cutoff', 'totals', 'carried', 'banned']),
    );
    expect(doc.components.schemas.PayoutBatchBannedDto.properties.advocates.description).toContain(
      'banned when the batch was created',
    );
    expect(doc.components.schemas.CreatePayoutBatchDto.required).toEqual(['currency', 'cutoff']);
  });
});
