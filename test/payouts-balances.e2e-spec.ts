import { startApp, TestApp } from './helpers/app';
import type { Brand } from './helpers/app';
import {
  createAdvocate,
  createProgram,
  createRule,
  refundEvent,
  sendEvent,
} from './helpers/event-factories';
import { createdBatch, createKey, earn, soon } from './helpers/payouts';

const FIGURES = [
  'pending',
  'held',
  'approvedUnpaid',
  'inOpenBatches',
  'paid',
  'clawbacksOutstanding',
] as const;
type Figures = Record<(typeof FIGURES)[number], number>;

describe('GET /v1/payouts/balances: the reconciliation agrees with the ledger to the cent', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({ REWARD_APPROVAL_INTERVAL_MS: '0' });
  });
  afterAll(() => t.close());

  async function all(key: string, path: string): Promise<any[]> {
    const out: any[] = [];
    let cursor: string | null = null;
    do {
      const sep = path.includes('?') ? '&' : '?';
      const res: any = await t.request(
        'GET',
        `${path}${sep}limit=500${cursor ? `&cursor=${cursor}` : ''}`,
        { key },
      );
      expect(res.status).toBe(200);
      out.push(...res.body.data);
      cursor = res.body.nextCursor;
    } while (cursor);
    return out;
  }

  /** The same figures computed independently: rewards by status, batches by status. */
  async function fromLedger(brand: Brand, currency: string): Promise<Figures> {
    const rewards = (await all(brand.key, '/v1/rewards')).filter(
      (r) =>
        r.currency === currency &&
        r.recipient === 'advocate' &&
        ['cash', 'credit', 'gift_card'].includes(r.kind),
    );
    const net = (r: any) => r.amount - r.reversedAmount;
    const sum = (rows: any[], f: (r: any) => number) => rows.reduce((s, r) => s + f(r), 0);
    const batches = (await all(brand.key, `/v1/payout-batches?currency=${currency}`)).filter(
      (b) => b.status !== 'canceled',
    );
    return {
      pending: sum(
        rewards.filter((r) => r.status === 'pending'),
        net,
      ),
      held: sum(
        rewards.filter((r) => r.status === 'held'),
        net,
      ),
      approvedUnpaid: sum(
        rewards.filter((r) => r.status === 'approved' && !r.clawbackOf && !r.payoutBatchId),
        net,
      ),
      inOpenBatches: sum(
        batches.filter((b) => b.status === 'created' || b.status === 'exported'),
        (b) => b.totals.amount,
      ),
      paid: sum(
        batches.filter((b) => b.status === 'paid'),
        (b) => b.totals.amount,
      ),
      clawbacksOutstanding: sum(
        rewards.filter((r) => r.status === 'approved' && r.clawbackOf && !r.payoutBatchId),
        (r) => r.amount,
      ),
    };
  }

  async function expectAgreement(brand: Brand, key: string, currency: string) {
    const first = await t.request('GET', `/v1/payouts/balances?currency=${currency}`, { key });
    expect(first.status).toBe(200);
    const rows = await all(key, `/v1/payouts/balances?currency=${currency}`);
    const { advocates, ...totals } = first.body.totals;
    expect(advocates).toBe(rows.length);
    for (const f of FIGURES) {
      expect([f, rows.reduce((s, r) => s + r[f], 0)]).toEqual([f, totals[f]]);
    }
    expect(totals).toEqual(await fromLedger(brand, currency));
    return { totals: totals as Figures, rows };
  }

  it('per advocate and in total: pending, held, approved, in open batches, paid, clawbacks', async () => {
    const brand = await t.createBrand();
    const finance = await createKey(t, brand, ['finance']);
    const p = await createProgram(t, brand, { holdDays: 14 });
    await createRule(t, p, {
      trigger: { event: 'purchase' },
      recipient: 'advocate',
      reward: { kind: 'cash', amount: 1000 },
    });
    await createRule(t, p, {
      trigger: { event: 'purchase' },
      recipient: 'friend',
      reward: { kind: 'credit', amount: 500 },
    });
    await createRule(t, p, {
      trigger: { event: 'purchase' },
      recipient: 'advocate',
      reward: { kind: 'points', amount: 50 },
    });
    const eur = await createProgram(t, brand, { holdDays: 0, currency: 'EUR' });
    await createRule(t, eur, {
      trigger: { event: 'purchase' },
      recipient: 'advocate',
      reward: { kind: 'gift_card', amount: 2500 },
    });
    const [alice, bob, carol, dave] = [
      await createAdvocate(t, p, { name: 'Alice' }),
      await createAdvocate(t, p, { name: 'Bob' }),
      await createAdvocate(t, p, { name: 'Carol' }),
      await createAdvocate(t, p, { name: 'Dave' }),
    ];
    const eva = await createAdvocate(t, eur);

    // alice: paid 10.00, then refunded → a clawback of 10.00 outstanding
    const a1 = await earn(t, p, alice);
    const first = await createdBatch(t, finance, { currency: 'USD', cutoff: soon() });
    await t.request('POST', `/v1/payout-batches/${first.id}/mark-paid`, {
      key: finance,
      body: {},
    });
    await sendEvent(t, brand, refundEvent(a1.orderId, 12_900));
    // bob: 20.00 in an open (exported) batch
    await earn(t, p, bob);
    await earn(t, p, bob);
    const open = await createdBatch(t, finance, {
      currency: 'USD',
      cutoff: soon(),
      programId: p.programId,
      minimumAmount: 1500, // alice (net -10.00) stays out
    });
    expect(open.carried).toEqual({ advocates: 1, amount: -1000 });
    await t.request('GET', `/v1/payout-batches/${open.id}/export`, { key: finance });
    // carol: 10.00 approved and not batched, 10.00 pending, one rejected
    await earn(t, p, carol);
    await earn(t, p, carol, { approve: false });
    const rejected = await earn(t, p, carol, { approve: false });
    await t.request('POST', `/v1/rewards/${rejected.reward.id}/reject`, {
      key: brand.key,
      body: { reason: 'test' },
    });
    // dave is paused: his reward is held
    await t.request('PATCH', `/v1/advocates/${dave.id}`, {
      key: brand.key,
      body: { status: 'paused' },
    });
    const held = await earn(t, p, dave, { approve: false });
    expect(held.reward.status).toBe('held');
    // eva earns in EUR only
    await earn(t, eur, eva, { currency: 'EUR' });

    const { totals, rows } = await expectAgreement(brand, finance, 'USD');
    expect(totals).toEqual({
      pending: 1000,
      held: 1000,
      approvedUnpaid: 1000,
      inOpenBatches: 2000,
      paid: 1000,
      clawbacksOutstanding: -1000,
    });
    const byId = new Map(rows.map((r) => [r.advocateId, r]));
    expect(byId.get(alice.id)).toEqual({
      advocateId: alice.id,
      advocateExternalId: alice.externalId,
      pending: 0,
      held: 0,
      approvedUnpaid: 0,
      inOpenBatches: 0,
      paid: 1000,
      clawbacksOutstanding: -1000,
    });
    expect(byId.get(bob.id)).toMatchObject({ inOpenBatches: 2000, approvedUnpaid: 0 });
    expect(byId.get(carol.id)).toMatchObject({ approvedUnpaid: 1000, pending: 1000 });
    expect(byId.get(dave.id)).toMatchObject({ held: 1000 });
    expect(byId.has(eva.id)).toBe(false);
    expect(rows.map((r) => r.advocateId)).toEqual([...rows.map((r) => r.advocateId)].sort());

    const euros = await expectAgreement(brand, finance, 'EUR');
    expect(euros.totals).toMatchObject({ approvedUnpaid: 2500 });

    // the open batch is paid: its lines move from inOpenBatches to paid
    await t.request('POST', `/v1/payout-batches/${open.id}/mark-paid`, { key: finance, body: {} });
    const after = await expectAgreement(brand, finance, 'USD');
    expect(after.totals).toMatchObject({ inOpenBatches: 0, paid: 3000 });
    // one more batch: carol is paid 10.00; alice's clawback is hers alone and stays carried
    const last = await createdBatch(t, finance, { currency: 'USD', cutoff: soon() });
    expect(last.totals).toMatchObject({ advocates: 1, amount: 1000 });
    const final = await expectAgreement(brand, finance, 'USD');
    expect(final.totals).toMatchObject({
      approvedUnpaid: 0,
      inOpenBatches: 1000,
      clawbacksOutstanding: -1000,
    });
  });

  it('pages by advocate, filters one advocate, and checks its input', async () => {
    const brand = await t.createBrand();
    const p = await createProgram(t, brand, { holdDays: 0 });
    await createRule(t, p, {
      trigger: { event: 'purchase' },
      recipient: 'advocate',
      reward: { kind: 'credit', amount: 700 },
    });
    const advocates = [];
    for (let i = 0; i < 3; i += 1) {
      const a = await createAdvocate(t, p);
      await earn(t, p, a);
      advocates.push(a);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await t.request(
        'GET',
        `/v1/payouts/balances?currency=USD&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        { key: brand.key },
      );
      expect(page.body.totals).toMatchObject({ advocates: 3, approvedUnpaid: 2100 });
      seen.push(...page.body.data.map((r: any) => r.advocateId));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(advocates.map((a) => a.id).sort());

    const one = await t.request(
      'GET',
      `/v1/payouts/balances?currency=USD&advocateId=${advocates[1]!.id}`,
      { key: brand.key },
    );
    expect(one.body.data).toEqual([expect.objectContaining({ approvedUnpaid: 700 })]);
    expect(one.body.totals.advocates).toBe(3); // totals stay brand-wide

    const stranger = await t.createBrand();
    const foreign = await t.request(
      'GET',
      `/v1/payouts/balances?currency=USD&advocateId=${advocates[0]!.id}`,
      { key: stranger.key },
    );
    expect(foreign.status).toBe(404);
    const strangerView = await t.request('GET', '/v1/payouts/balances?currency=USD', {
      key: stranger.key,
    });
    expect(strangerView.body).toEqual({
      currency: 'USD',
      totals: {
        advocates: 0,
        pending: 0,
        held: 0,
        approvedUnpaid: 0,
        inOpenBatches: 0,
        paid: 0,
        clawbacksOutstanding: 0,
      },
      data: [],
      nextCursor: null,
    });
    for (const [query, field] of [
      ['', 'currency'],
      ['currency=usd', 'currency'],
      ['currency=USD&cursor=bad', 'cursor'],
      ['currency=USD&limit=501', 'limit'],
    ]) {
      const res = await t.request('GET', `/v1/payouts/balances?${query}`, { key: brand.key });
      expect(res.status).toBe(400);
      expect(res.body.error.details[0].field).toBe(field);
    }
  });
});
