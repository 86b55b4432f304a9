import { DataSource } from 'typeorm';
import { startApp, TestApp } from './helpers/app';
import {
  ADVOCATE_CASH_RULE,
  createCta,
  createProgram,
  FRIEND_COUPON_RULE,
  listAll,
} from './helpers/programs';

describe('Reward rules', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(() => t.close());

  const fieldsOf = (res: { body: any }): string[] => [
    ...new Set<string>(res.body?.error?.details?.map((d: any) => d.field)),
  ];
  const rulesPath = (programId: string) => `/v1/programs/${programId}/reward-rules`;

  it('configures a two-sided program: $10 cash to the advocate, a 15% coupon to the friend', async () => {
    const b = await t.createBrand();
    const p = await createProgram(t, b.key, { goal: 'conversion', currency: 'USD' });
    await createCta(t, b.key, p.id, { key: 'ig-story', channel: 'instagram' });
    await createCta(t, b.key, p.id, { key: 'tiktok-video', channel: 'tiktok' });
    await createCta(t, b.key, p.id, { key: 'email-invite', channel: 'email', action: 'signup' });

    const advocate = await t.request('POST', rulesPath(p.id), {
      key: b.key,
      body: ADVOCATE_CASH_RULE,
    });
    expect(advocate.status).toBe(201);
    expect(advocate.body).toEqual({
      id: expect.stringMatching(/^rul_[0-9A-Za-z]{20}$/),
      programId: p.id,
      trigger: { event: 'purchase', name: null },
      recipient: 'advocate',
      reward: { kind: 'cash', amount: 1000, percent: null, maxAmount: null, currency: 'USD' },
      conditions: {},
      limits: {},
      milestone: { nthReferral: null },
      holdDays: null,
      description: 'Advocate gets $10 per referred purchase',
      active: true,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      deactivatedAt: null,
    });
    const friend = await t.request('POST', rulesPath(p.id), {
      key: b.key,
      body: FRIEND_COUPON_RULE,
    });
    expect(friend.status).toBe(201);
    expect(friend.body).toMatchObject({
      recipient: 'friend',
      reward: { kind: 'coupon', amount: null, percent: 15, maxAmount: null, currency: 'USD' },
      conditions: { firstPurchaseOnly: true, minOrderAmount: 5000 },
    });
    expect(friend.text).toContain('"percent":15,');

    const list = await t.request('GET', rulesPath(p.id), { key: b.key });
    expect(list.body.data).toEqual([friend.body, advocate.body]);
    const one = await t.request('GET', `${rulesPath(p.id)}/${advocate.body.id}`, { key: b.key });
    expect(one.body).toEqual(advocate.body);
    const ctas = await listAll(t, b.key, `/v1/programs/${p.id}/ctas`);
    expect(ctas.map((c) => c.key).sort()).toEqual([
      'copy-link',
      'email-invite',
      'ig-story',
      'tiktok-video',
    ]);
  });

  it('stores percents exactly and accepts the other kinds, limits and milestones', async () => {
    const b = await t.createBrand();
    const p = await createProgram(t, b.key, { currency: 'KWD' });
    await createCta(t, b.key, p.id, { key: 'ig-story' });
    const credit = await t.request('POST', rulesPath(p.id), {
      key: b.key,
      body: {
        trigger: { event: 'purchase' },
        recipient: 'advocate',
        reward: { kind: 'credit', percent: 12.3456, maxAmount: 25_000 },
        conditions: { newCustomersOnly: true, ctaKeys: ['ig-story'], channels: ['instagram'] },
        limits: {
          perAdvocateTotal: { count: 50, amount: 500_000 },
          perAdvocatePerMonth: { count: 10 },
          programBudget: 10_000_000,
        },
        holdDays: 14,
      },
    });
    expect(credit.status).toBe(201);
    expect(credit.body).toMatchObject({
      reward: { kind: 'credit', percent: 12.3456, maxAmount: 25_000, currency: 'KWD' },
      conditions: { newCustomersOnly: true, ctaKeys: ['ig-story'], channels: ['instagram'] },
      limits: {
        perAdvocateTotal: { count: 50, amount: 500_000 },
        perAdvocatePerMonth: { count: 10 },
        programBudget: 10_000_000,
      },
      holdDays: 14,
    });
    const stored = await t.app
      .get(DataSource)
      .query('SELECT percent::text AS p FROM reward_rules WHERE id = $1', [credit.body.id]);
    expect(stored[0].p).toBe('12.3456');

    const bodies = [
      {
        trigger: { event: 'signup' },
        recipient: 'friend',
        reward: { kind: 'points', amount: 500 },
      },
      {
        trigger: { event: 'custom', name: 'review.posted' },
        recipient: 'advocate',
        reward: { kind: 'gift_card', amount: 5_000, currency: 'KWD' },
        milestone: { nthReferral: 5 },
      },
      {
        trigger: { event: 'signup' },
        recipient: 'advocate',
        reward: { kind: 'custom' },
        description: 'A limited-edition tote bag',
      },
      {
        trigger: { event: 'purchase' },
        recipient: 'friend',
        reward: { kind: 'coupon', amount: 2_500 },
        conditions: { firstPurchaseOnly: true, newCustomersOnly: true },
      },
    ];
    for (const body of bodies) {
      const res = await t.request('POST', rulesPath(p.id), { key: b.key, body });
      expect([body, res.status]).toEqual([body, 201]);
    }
    const all = await listAll(t, b.key, rulesPath(p.id));
    expect(all.map((r) => [r.reward.kind, r.reward.currency])).toEqual([
      ['coupon', 'KWD'],
      ['custom', null],
      ['gift_card', 'KWD'],
      ['points', null],
      ['credit', 'KWD'],
    ]);
    expect(all[2]).toMatchObject({
      trigger: { event: 'custom', name: 'review.posted' },
      milestone: { nthReferral: 5 },
    });
  });

  it('rejects each inconsistent or invalid rule with a 400 naming the field, writing nothing', async () => {
    const b = await t.createBrand();
    const p = await createProgram(t, b.key, { currency: 'USD' });
    await createCta(t, b.key, p.id, { key: 'ig-story' });
    const cash = ADVOCATE_CASH_RULE;
    const reward = (r: Record<string, unknown>) => ({ ...cash, reward: r });
    const cases: [Record<string, unknown>, string][] = [
      [{ ...cash, trigger: undefined }, 'trigger'],
      [{ ...cash, trigger: { event: 'refund' } }, 'trigger.event'],
      [{ ...cash, trigger: { event: 'custom' } }, 'trigger.name'],
      [{ ...cash, trigger: { event: 'custom', name: 'Has Spaces' } }, 'trigger.name'],
      [{ ...cash, trigger: { event: 'custom', name: 'x'.repeat(65) } }, 'trigger.name'],
      [{ ...cash, trigger: { event: 'signup', name: 'signup' } }, 'trigger.name'],
      [{ ...cash, recipient: 'both' }, 'recipient'],
      [{ ...cash, recipient: undefined }, 'recipient'],
      [{ ...cash, reward: undefined }, 'reward'],
      [reward({ kind: 'cashback', amount: 100 }), 'reward.kind'],
      [reward({ kind: 'cash' }), 'reward.amount'],
      [reward({ kind: 'cash', amount: 100, percent: 5 }), 'reward.amount'],
      [reward({ kind: 'cash', amount: 0 }), 'reward.amount'],
      [reward({ kind: 'cash', amount: 10.5 }), 'reward.amount'],
      [reward({ kind: 'cash', amount: '1000' }), 'reward.amount'],
      [reward({ kind: 'cash', amount: 10 ** 12 + 1 }), 'reward.amount'],
      [reward({ kind: 'cash', percent: 0 }), 'reward.percent'],
      [reward({ kind: 'cash', percent: 100.5 }), 'reward.percent'],
      [reward({ kind: 'cash', percent: 12.34567 }), 'reward.percent'],
      [reward({ kind: 'cash', percent: '15' }), 'reward.percent'],
      [
        { ...cash, trigger: { event: 'signup' }, reward: { kind: 'cash', percent: 5 } },
        'reward.percent',
      ],
      [reward({ kind: 'cash', amount: 100, maxAmount: 50 }), 'reward.maxAmount'],
      [reward({ kind: 'cash', amount: 100, currency: 'EUR' }), 'reward.currency'],
      [reward({ kind: 'cash', amount: 100, currency: 'usd' }), 'reward.currency'],
      [reward({ kind: 'gift_card', amount: 100, currency: 'GBP' }), 'reward.currency'],
      [reward({ kind: 'points', amount: 100, currency: 'USD' }), 'reward.currency'],
      [reward({ kind: 'points', percent: 10 }), 'reward.kind'],
      [reward({ kind: 'coupon', percent: 10, currency: 'EUR' }), 'reward.currency'],
      [reward({ kind: 'custom', amount: 100, currency: 'JPY' }), 'reward.currency'],
      [
        { ...cash, trigger: { event: 'signup' }, conditions: { minOrderAmount: 5000 } },
        'conditions.minOrderAmount',
      ],
      [
        { ...cash, trigger: { event: 'signup' }, conditions: { firstPurchaseOnly: true } },
        'conditions.firstPurchaseOnly',
      ],
      [{ ...cash, conditions: { minOrderAmount: -1 } }, 'conditions.minOrderAmount'],
      [{ ...cash, conditions: { newCustomersOnly: 'yes' } }, 'conditions.newCustomersOnly'],
      [{ ...cash, conditions: { ctaKeys: ['ig-story', 'tiktok'] } }, 'conditions.ctaKeys[1]'],
      [{ ...cash, conditions: { ctaKeys: [] } }, 'conditions.ctaKeys'],
      [{ ...cash, conditions: { channels: ['instagram', 'myspace'] } }, 'conditions.channels'],
      [{ ...cash, conditions: { country: 'US' } }, 'conditions.country'],
      [{ ...cash, limits: { perAdvocateTotal: {} } }, 'limits.perAdvocateTotal'],
      [{ ...cash, limits: { perAdvocateTotal: { count: 0 } } }, 'limits.perAdvocateTotal.count'],
      [
        { ...cash, limits: { perAdvocatePerMonth: { amount: -5 } } },
        'limits.perAdvocatePerMonth.amount',
      ],
      [{ ...cash, limits: { programBudget: 0 } }, 'limits.programBudget'],
      [
        { ...cash, reward: { kind: 'custom' }, limits: { programBudget: 1000 } },
        'limits.programBudget',
      ],
      [{ ...cash, milestone: { nthReferral: 0 } }, 'milestone.nthReferral'],
      [{ ...cash, holdDays: 366 }, 'holdDays'],
      [{ ...cash, holdDays: -1 }, 'holdDays'],
      [{ ...cash, description: 'x'.repeat(501) }, 'description'],
      [{ ...cash, active: false }, 'active'],
    ];
    for (const [body, field] of cases) {
      const res = await t.request('POST', rulesPath(p.id), { key: b.key, body });
      expect([body, res.status, res.body?.error?.code, fieldsOf(res)]).toEqual([
        body,
        400,
        'validation_failed',
        [field],
      ]);
    }
    const list = await t.request('GET', `${rulesPath(p.id)}?includeInactive=true`, { key: b.key });
    expect(list.body.data).toEqual([]);
  });

  it('updates a rule partially, checking the merged rule again', async () => {
    const b = await t.createBrand();
    const p = await createProgram(t, b.key);
    const rule = (
      await t.request('POST', rulesPath(p.id), { key: b.key, body: FRIEND_COUPON_RULE })
    ).body;
    const url = `${rulesPath(p.id)}/${rule.id}`;

    const res = await t.request('PATCH', url, {
      key: b.key,
      body: { conditions: { firstPurchaseOnly: true, minOrderAmount: 7500 }, holdDays: 7 },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      trigger: { event: 'purchase', name: null },
      reward: { kind: 'coupon', percent: 15, currency: 'USD' },
      conditions: { firstPurchaseOnly: true, minOrderAmount: 7500 },
      holdDays: 7,
      description: FRIEND_COUPON_RULE.description,
    });
    // An object sent replaces the old one as a whole: amount instead of percent.
    const fixed = await t.request('PATCH', url, {
      key: b.key,
      body: { reward: { kind: 'coupon', amount: 1500 }, description: null, holdDays: null },
    });
    expect(fixed.body).toMatchObject({
      reward: { kind: 'coupon', amount: 1500, percent: null, currency: 'USD' },
      description: null,
      holdDays: null,
    });

    const before = (await t.request('GET', url, { key: b.key })).body;
    const cases: [Record<string, unknown>, string][] = [
      // Signup trigger while the stored conditions are purchase-only.
      [{ trigger: { event: 'signup' } }, 'conditions.minOrderAmount,conditions.firstPurchaseOnly'],
      [{ reward: { kind: 'coupon', percent: 10, amount: 100 } }, 'reward.amount'],
      [{ reward: { kind: 'coupon' } }, 'reward.amount'],
      [{ reward: { amount: 100 } }, 'reward.kind'],
      [{ trigger: null }, 'trigger'],
      [{ recipient: null }, 'recipient'],
      [{ reward: { kind: 'cash', amount: 100, currency: 'EUR' } }, 'reward.currency'],
      [{ conditions: { ctaKeys: ['nope'] } }, 'conditions.ctaKeys[0]'],
    ];
    for (const [body, field] of cases) {
      const bad = await t.request('PATCH', url, { key: b.key, body });
      expect([body, bad.status, fieldsOf(bad)]).toEqual([body, 400, field.split(',')]);
    }
    expect((await t.request('GET', url, { key: b.key })).body).toEqual(before);
    // The stored values sent again change nothing, updatedAt included.
    await new Promise((r) => setTimeout(r, 5));
    const same = await t.request('PATCH', url, {
      key: b.key,
      body: { reward: before.reward, conditions: before.conditions, holdDays: before.holdDays },
    });
    expect([same.status, same.body]).toEqual([200, before]);

    const cleared = await t.request('PATCH', url, {
      key: b.key,
      body: { trigger: { event: 'signup' }, conditions: null },
    });
    expect(cleared.status).toBe(200);
    expect(cleared.body).toMatchObject({ trigger: { event: 'signup' }, conditions: {} });
    expect(cleared.body.updatedAt > before.updatedAt).toBe(true);
  });

  it('deletes a rule by deactivating it: idempotent, still readable, no longer editable', async () => {
    const b = await t.createBrand();
    const p = await createProgram(t, b.key);
    const keep = (
      await t.request('POST', rulesPath(p.id), { key: b.key, body: ADVOCATE_CASH_RULE })
    ).body;
    const gone = (
      await t.request('POST', rulesPath(p.id), { key: b.key, body: FRIEND_COUPON_RULE })
    ).body;
    const url = `${rulesPath(p.id)}/${gone.id}`;

    const del = await t.request('DELETE', url, { key: b.key });
    expect(del.status).toBe(204);
    expect(del.text).toBe('');
    const after = (await t.request('GET', url, { key: b.key })).body;
    expect(after).toMatchObject({ id: gone.id, active: false, deactivatedAt: expect.any(String) });
    expect((await t.request('DELETE', url, { key: b.key })).status).toBe(204);
    expect((await t.request('GET', url, { key: b.key })).body.deactivatedAt).toBe(
      after.deactivatedAt,
    );

    const active = await t.request('GET', rulesPath(p.id), { key: b.key });
    expect(active.body.data.map((r: any) => r.id)).toEqual([keep.id]);
    const withInactive = await t.request('GET', `${rulesPath(p.id)}?includeInactive=true`, {
      key: b.key,
    });
    expect(withInactive.body.data.map((r: any) => [r.id, r.active])).toEqual([
      [gone.id, false],
      [keep.id, true],
    ]);
    const explicitFalse = await t.request('GET', `${rulesPath(p.id)}?includeInactive=false`, {
      key: b.key,
    });
    expect(explicitFalse.body.data).toHaveLength(1);
    const badFlag = await t.request('GET', `${rulesPath(p.id)}?includeInactive=yes`, {
      key: b.key,
    });
    expect([badFlag.status, fieldsOf(badFlag)]).toEqual([400, ['includeInactive']]);

    const patch = await t.request('PATCH', url, { key: b.key, body: { holdDays: 3 } });
    expect(patch.status).toBe(409);
    expect(patch.body.error.code).toBe('conflict');
    const rows = await t.app
      .get(DataSource)
      .query('SELECT count(*)::int AS n FROM reward_rules WHERE program_id = $1', [p.id]);
    expect(rows[0].n).toBe(2);
  });

  it('refuses new rules in an ended program', async () => {
    const b = await t.createBrand();
    const p = await createProgram(t, b.key);
    await t.request('PATCH', `/v1/programs/${p.id}`, { key: b.key, body: { status: 'ended' } });
    const res = await t.request('POST', rulesPath(p.id), { key: b.key, body: ADVOCATE_CASH_RULE });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('conflict');
  });

  it('pages the rule list', async () => {
    const b = await t.createBrand();
    const p = await createProgram(t, b.key);
    const ids: string[] = [];
    for (const amount of [100, 200, 300, 400, 500]) {
      const res = await t.request('POST', rulesPath(p.id), {
        key: b.key,
        body: { ...ADVOCATE_CASH_RULE, reward: { kind: 'cash', amount } },
      });
      ids.push(res.body.id);
    }
    await t.request('DELETE', `${rulesPath(p.id)}/${ids[2]}`, { key: b.key });
    const first = await t.request('GET', `${rulesPath(p.id)}?limit=2`, { key: b.key });
    expect(first.body.data.map((r: any) => r.reward.amount)).toEqual([500, 400]);
    const active = await listAll(t, b.key, rulesPath(p.id), 2);
    expect(active.map((r) => r.id)).toEqual([ids[4], ids[3], ids[1], ids[0]]);
    const all = await listAll(t, b.key, `${rulesPath(p.id)}?includeInactive=true`, 2);
    expect(all.map((r) => r.id)).toEqual([...ids].reverse());
  });

  it("answers 404 for another brand's program or rule on every route, as for a missing one", async () => {
    const a = await t.createBrand();
    const other = await t.createBrand();
    const mine = await createProgram(t, a.key);
    const theirs = await createProgram(t, other.key);
    const theirRule = (
      await t.request('POST', rulesPath(theirs.id), { key: other.key, body: ADVOCATE_CASH_RULE })
    ).body;
    const noProgram = { code: 'not_found', message: 'Program not found', details: [] };
    const noRule = { code: 'not_found', message: 'Reward rule not found', details: [] };
    const routes: [string, string, unknown, unknown][] = [
      ['POST', rulesPath(theirs.id), ADVOCATE_CASH_RULE, noProgram],
      ['GET', rulesPath(theirs.id), undefined, noProgram],
      ['GET', `${rulesPath(theirs.id)}?includeInactive=true`, undefined, noProgram],
      ['GET', `${rulesPath(theirs.id)}/${theirRule.id}`, undefined, noProgram],
      ['PATCH', `${rulesPath(theirs.id)}/${theirRule.id}`, { holdDays: 1 }, noProgram],
      ['DELETE', `${rulesPath(theirs.id)}/${theirRule.id}`, undefined, noProgram],
      // Own program, another brand's rule id.
      ['GET', `${rulesPath(mine.id)}/${theirRule.id}`, undefined, noRule],
      ['PATCH', `${rulesPath(mine.id)}/${theirRule.id}`, { holdDays: 1 }, noRule],
      ['DELETE', `${rulesPath(mine.id)}/${theirRule.id}`, undefined, noRule],
      ['DELETE', `${rulesPath(mine.id)}/rul_00000000000000000000`, undefined, noRule],
      ['GET', rulesPath('prg_00000000000000000000'), undefined, noProgram],
    ];
    for (const [method, path, body, error] of routes) {
      const res = await t.request(method, path, { key: a.key, body });
      expect([method, path, res.status, res.body.error]).toEqual([method, path, 404, error]);
    }
    const untouched = await t.request('GET', `${rulesPath(theirs.id)}/${theirRule.id}`, {
      key: other.key,
    });
    expect(untouched.body).toEqual(theirRule);
    expect(await listAll(t, other.key, rulesPath(theirs.id))).toHaveLength(1);
  });
});
