import { startApp, TestApp } from './helpers/app';
import type { Brand } from './helpers/app';
import {
  createAdvocate,
  createProgram,
  createRule,
  refundEvent,
  sendEvent,
} from './helpers/event-factories';
import { BALANCE_FIGURES, createdBatch, createKey, earn, soon } from './helpers/payouts';

const FIGURES = BALANCE_FIGURES;
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

  const sum = (rows: any[], f: (r: any) => number) => rows.reduce((s, r) => s + f(r), 0);
  const net = (r: any) => r.amount - r.reversedAmount;

  /**
   * The README's reconciliation rule, applied to rows of GET /v1/rewards (advocate rewards of a
   * paid-out kind in the currency, clawbacks included): each balance figure.
   */
  function figuresOfRewards(rows: any[]): Figures {
    return {
      pending: sum(
        rows.filter((r) => r.status === 'pending'),
        net,
      ),
      held: sum(
        rows.filter((r) => r.status === 'held'),
        net,
      ),
      approvedUnpaid: sum(
        rows.filter((r) => r.status === 'approved' && !r.clawbackOf && !r.payoutBatchId),
        net,
      ),
      inOpenBatches: sum(
        rows.filter((r) => r.payoutBatchId && r.status !== 'paid'),
        (r) => r.payoutAmount,
      ),
      paid: sum(
        rows.filter((r) => r.status === 'paid'),
        (r) => r.payoutAmount,
      ),
      clawbacksOutstanding: sum(
        rows.filter((r) => r.status === 'approved' && r.clawbackOf && !r.payoutBatchId),
        (r) => r.amount,
      ),
    };
  }

  /** The README's `paid` without payoutAmount: paid rewards net, plus clawbacks not paid yet. */
  const paidWithoutPayoutAmount = (rows: any[]) =>
    sum(
      rows.filter((r) => r.status === 'paid' && !r.clawbackOf),
      net,
    ) -
    sum(
      rows.filter((r) => r.status === 'approved' && r.clawbackOf),
      (r) => r.amount,
    );

  async function payableRewards(brand: Brand, currency: string): Promise<any[]> {
    return (await all(brand.key, '/v1/rewards')).filter(
      (r) =>
        r.currency === currency &&
        r.recipient === 'advocate' &&
        ['cash', 'credit', 'gift_card'].includes(r.kind),
    );
  }

  /**
   * Checks the balances (every page and the totals) against the ledger computed independently:
   * GET /v1/rewards by the README's rule, per advocate and in total, and GET /v1/payout-batches
   * by batch status for the batch figures.
   */
  async function expectAgreement(brand: Brand, key: string, currency: string) {
    const first = await t.request('GET', `/v1/payouts/balances?currency=${currency}`, { key });
    expect(first.status).toBe(200);
    const rows = await all(key, `/v1/payouts/balances?currency=${currency}`);
    const { advocates, ...totals } = first.body.totals;
    expect(advocates).toBe(rows.length);
    for (const f of FIGURES) {
      expect([f, rows.reduce((s, r) => s + r[f], 0)]).toEqual([f, totals[f]]);
    }
    const rewards = await payableRewards(brand, currency);
    expect(totals).toEqual(figuresOfRewards(rewards));
    expect(totals.paid).toBe(paidWithoutPayoutAmount(rewards));
    const byAdvocate = new Map(rows.map((r) => [r.advocateId, r]));
    for (const advocateId of new Set([...rewards.map((r) => r.advocateId), ...byAdvocate.keys()])) {
      const own = figuresOfRewards(rewards.filter((r) => r.advocateId === advocateId));
      const row = byAdvocate.get(advocateId);
      const shown = Object.fromEntries(FIGURES.map((f) => [f, row ? row[f] : 0]));
      expect([advocateId, shown]).toEqual([advocateId, own]);
    }
    const batches = (await all(brand.key, `/v1/payout-batches?currency=${currency}`)).filter(
      (b) => b.status !== 'canceled',
    );
    expect({ inOpenBatches: totals.inOpenBatches, paid: totals.paid }).toEqual({
      inOpenBatches: sum(
        batches.filter((b) => b.status === 'created' || b.status === 'exported'),
        (b) => b.totals.amount,
      ),
      paid: sum(
        batches.filter((b) => b.status === 'paid'),
        (b) => b.totals.amount,
      ),
    });
    return { totals: totals as Figures, rows, rewards };
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

  it('refunds after payment: clawback rows and payoutAmount reconcile through three batches', async () => {
    const brand = await t.createBrand();
    const finance = await createKey(t, brand, ['finance']);
    const p = await createProgram(t, brand, { holdDays: 14 });
    // 10 % of a 129.00 order: 12.90, which a third of the order refunded takes 4.30 of
    await createRule(t, p, {
      trigger: { event: 'purchase' },
      recipient: 'advocate',
      reward: { kind: 'cash', percent: 10 },
    });
    const jane = await createAdvocate(t, p, { name: 'Jane' });
    const sam = await createAdvocate(t, p, { name: 'Sam' });
    const reward = async (id: string) =>
      (await t.request('GET', `/v1/rewards/${id}`, { key: finance })).body;
    const clawbacksOf = async (id: string) =>
      (await payableRewards(brand, 'USD')).filter((r) => r.clawbackOf === id);
    const markPaid = async (id: string) =>
      expect(
        (await t.request('POST', `/v1/payout-batches/${id}/mark-paid`, { key: finance })).status,
      ).toBe(200);

    const j1 = await earn(t, p, jane);
    const j2 = await earn(t, p, jane);
    const s1 = await earn(t, p, sam);
    const pending = await earn(t, p, sam, { approve: false });
    expect(pending.reward).toMatchObject({ status: 'pending', amount: 1290 });
    let state = await expectAgreement(brand, finance, 'USD');
    expect(state.totals).toMatchObject({ pending: 1290, approvedUnpaid: 3870 });

    // batch 1 pays 38.70; payoutAmount is the line of each reward
    const first = await createdBatch(t, finance, { currency: 'USD', cutoff: soon() });
    expect(first.totals).toMatchObject({ advocates: 2, rewards: 3, amount: 3870 });
    expect(await reward(j1.reward.id)).toMatchObject({
      status: 'approved',
      payoutBatchId: first.id,
      payoutAmount: 1290,
    });
    state = await expectAgreement(brand, finance, 'USD');
    expect(state.totals).toMatchObject({ approvedUnpaid: 0, inOpenBatches: 3870, paid: 0 });
    await markPaid(first.id);

    // refunds after payment: j1 a third (partial), j2 and s1 in full
    await sendEvent(t, brand, refundEvent(j1.orderId, 4_300));
    await sendEvent(t, brand, refundEvent(j2.orderId, 12_900));
    await sendEvent(t, brand, refundEvent(s1.orderId, 12_900));
    expect(await reward(j1.reward.id)).toMatchObject({
      amount: 1290,
      reversedAmount: 430,
      status: 'paid',
      payoutBatchId: first.id,
      payoutAmount: 1290,
    });
    expect(await reward(j2.reward.id)).toMatchObject({
      reversedAmount: 1290,
      status: 'paid',
      payoutAmount: 1290,
    });
    expect(await clawbacksOf(j1.reward.id)).toEqual([
      expect.objectContaining({
        amount: -430,
        reversedAmount: 0,
        status: 'approved',
        payoutBatchId: null,
        payoutAmount: null,
      }),
    ]);
    state = await expectAgreement(brand, finance, 'USD');
    expect(state.totals).toEqual({
      pending: 1290,
      held: 0,
      approvedUnpaid: 0,
      inOpenBatches: 0,
      paid: 3870,
      clawbacksOutstanding: -3010,
    });
    // The disagreement payoutAmount settles: amount − reversedAmount of the paid rewards already
    // takes the refunds off, which the clawback rows take off again.
    const paidRows = state.rewards.filter((r) => r.status === 'paid');
    expect(sum(paidRows, net)).toBe(860);

    // batch 2: jane's two new rewards net of her clawbacks (25.80 − 17.20); sam (−12.90) carried
    const j3 = await earn(t, p, jane);
    const j4 = await earn(t, p, jane);
    const second = await createdBatch(t, finance, { currency: 'USD', cutoff: soon() });
    expect(second).toMatchObject({
      totals: { advocates: 1, rewards: 4, amount: 860, clawbackAmount: -1720 },
      carried: { advocates: 1, amount: -1290 },
    });
    expect(await clawbacksOf(j2.reward.id)).toEqual([
      expect.objectContaining({
        status: 'approved',
        payoutBatchId: second.id,
        payoutAmount: -1290,
      }),
    ]);
    state = await expectAgreement(brand, finance, 'USD');
    expect(state.totals).toMatchObject({ inOpenBatches: 860, clawbacksOutstanding: -1290 });

    // refunds while batch 2 is open: j3 a third, j4 in full (reversed, still in the batch); the
    // batch pays what it took, so inOpenBatches stays 8.60 while amount − reversedAmount drops
    await sendEvent(t, brand, refundEvent(j3.orderId, 4_300));
    await sendEvent(t, brand, refundEvent(j4.orderId, 12_900));
    expect(await reward(j4.reward.id)).toMatchObject({
      status: 'reversed',
      reversedAmount: 1290,
      payoutBatchId: second.id,
      payoutAmount: 1290,
    });
    state = await expectAgreement(brand, finance, 'USD');
    expect(state.totals).toMatchObject({ inOpenBatches: 860, approvedUnpaid: 0 });
    const inBatch = state.rewards.filter((r) => r.payoutBatchId === second.id);
    expect(sum(inBatch, net)).toBe(860 - 430 - 1290);

    // paid: what the refunds took while it was open becomes clawbacks for the next batch
    await markPaid(second.id);
    expect(await reward(j4.reward.id)).toMatchObject({ status: 'paid', payoutAmount: 1290 });
    expect((await clawbacksOf(j3.reward.id)).map((r) => [r.amount, r.status])).toEqual([
      [-430, 'approved'],
    ]);
    state = await expectAgreement(brand, finance, 'USD');
    expect(state.totals).toMatchObject({
      inOpenBatches: 0,
      paid: 3870 + 860,
      clawbacksOutstanding: -1290 - 430 - 1290,
    });

    // batch 3 nets every clawback left: sam 25.80 − 12.90, jane 25.80 − 17.20
    await earn(t, p, sam);
    await earn(t, p, sam);
    await earn(t, p, jane);
    await earn(t, p, jane);
    const third = await createdBatch(t, finance, { currency: 'USD', cutoff: soon() });
    expect(third).toMatchObject({
      totals: { advocates: 2, rewards: 7, amount: 2150, clawbackAmount: -3010 },
      carried: { advocates: 0, amount: 0 },
    });
    await expectAgreement(brand, finance, 'USD');
    await markPaid(third.id);
    state = await expectAgreement(brand, finance, 'USD');
    expect(state.totals).toEqual({
      pending: 1290,
      held: 0,
      approvedUnpaid: 0,
      inOpenBatches: 0,
      paid: 3870 + 860 + 2150,
      clawbacksOutstanding: 0,
    });
    // everything paid, per advocate: what they earned net of every refund
    const byId = new Map(state.rows.map((r) => [r.advocateId, r]));
    expect(byId.get(jane.id).paid).toBe(6 * 1290 - 430 - 1290 - 430 - 1290);
    expect(byId.get(sam.id).paid).toBe(3 * 1290 - 1290);
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
