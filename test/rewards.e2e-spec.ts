import { DataSource } from 'typeorm';
import { RewardApprovalJob } from '@/modules/rewards/reward-approval.job';
import { startApp, TestApp } from './helpers/app';
import {
  createAdvocate,
  createProgram,
  createTwoSidedRules,
  markPaid,
  purchaseEvent,
  sendEvent,
} from './helpers/event-factories';

describe('rewards: listing, approval, rejection, the approval job and reviews', () => {
  let t: TestApp;
  let db: DataSource;
  beforeAll(async () => {
    // the timer is off: the test runs the job itself
    t = await startApp({ REWARD_APPROVAL_INTERVAL_MS: '0' });
    db = t.app.get(DataSource);
  });
  afterAll(() => t.close());

  async function setup(programOverrides: Record<string, unknown> = {}) {
    const brand = await t.createBrand();
    const p = await createProgram(t, brand, programOverrides);
    const rules = await createTwoSidedRules(t, p);
    const alice = await createAdvocate(t, p);
    return { brand, p, rules, alice };
  }

  it('lists with filters and a cursor, for admin and finance keys', async () => {
    const { brand, p, alice } = await setup();
    for (let i = 0; i < 3; i += 1) await sendEvent(t, brand, purchaseEvent({ code: alice.code }));
    const all = await t.request('GET', '/v1/rewards', { key: brand.key });
    expect(all.status).toBe(200);
    expect(all.body.data).toHaveLength(6);
    const friends = await t.request(
      'GET',
      `/v1/rewards?recipient=friend&advocateId=${alice.id}&programId=${p.programId}&status=pending&kind=coupon`,
      { key: brand.key },
    );
    expect(friends.body.data).toHaveLength(3);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await t.request(
        'GET',
        `/v1/rewards?limit=4${cursor ? `&cursor=${cursor}` : ''}`,
        { key: brand.key },
      );
      seen.push(...page.body.data.map((r: any) => r.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.body.data.map((r: any) => r.id));
    // a cursor belongs to its list: the same filters in any order go on, other filters or
    // another list are refused instead of silently skipping rows
    const byAlice = `advocateId=${alice.id}&recipient=friend`;
    const firstFriend = await t.request('GET', `/v1/rewards?${byAlice}&limit=1`, {
      key: brand.key,
    });
    const next = firstFriend.body.nextCursor;
    const reordered = await t.request(
      'GET',
      `/v1/rewards?limit=2&recipient=friend&cursor=${next}&advocateId=${alice.id}`,
      { key: brand.key },
    );
    expect(reordered.status).toBe(200);
    expect(reordered.body.data).toHaveLength(2);
    for (const elsewhere of [
      `/v1/rewards?advocateId=${alice.id}&recipient=advocate&cursor=${next}`,
      `/v1/rewards?cursor=${next}`,
      `/v1/reviews?cursor=${next}`,
    ]) {
      const res = await t.request('GET', elsewhere, { key: brand.key });
      expect([elsewhere, res.status, res.body.error.details]).toEqual([
        elsewhere,
        400,
        [
          {
            field: 'cursor',
            issue:
              'belongs to another list or other filters: send the filters of the page it came from',
          },
        ],
      ]);
    }
    const future = await t.request(
      'GET',
      `/v1/rewards?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`,
      { key: brand.key },
    );
    expect(future.body.data).toHaveLength(0);

    const finance = (
      await t.request('POST', '/v1/api-keys', {
        key: brand.key,
        body: { name: 'fin', scopes: ['finance'] },
      })
    ).body.secret;
    expect((await t.request('GET', '/v1/rewards', { key: finance })).body.data).toHaveLength(6);
    expect(
      (await t.request('POST', `/v1/rewards/${all.body.data[0].id}/approve`, { key: finance }))
        .status,
    ).toBe(403);

    for (const bad of [
      'status=lost',
      'recipient=both',
      'limit=0',
      'from=yesterday',
      'cursor=%%%',
    ]) {
      const res = await t.request('GET', `/v1/rewards?${bad}`, { key: brand.key });
      expect([bad, res.status]).toEqual([bad, 400]);
    }
  });

  it('approves and rejects by hand, with 409 for what cannot change', async () => {
    const { brand, alice } = await setup();
    const [a, b] = (await sendEvent(t, brand, purchaseEvent({ code: alice.code }))).body.rewards;
    const approved = await t.request('POST', `/v1/rewards/${a.id}/approve`, { key: brand.key });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ id: a.id, status: 'approved' });
    expect(approved.body.approvedAt).not.toBeNull();
    expect(
      (await t.request('POST', `/v1/rewards/${a.id}/approve`, { key: brand.key })).body.status,
    ).toBe('approved');

    const noReason = await t.request('POST', `/v1/rewards/${b.id}/reject`, {
      key: brand.key,
      body: {},
    });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.details[0].field).toBe('reason');
    const rejected = await t.request('POST', `/v1/rewards/${b.id}/reject`, {
      key: brand.key,
      body: { reason: 'duplicate account' },
    });
    expect(rejected.body).toMatchObject({ status: 'rejected', reason: 'duplicate account' });
    const approveRejected = await t.request('POST', `/v1/rewards/${b.id}/approve`, {
      key: brand.key,
    });
    expect(approveRejected.status).toBe(409);
    expect(approveRejected.body.error.code).toBe('invalid_status_transition');

    await markPaid(t, a.id);
    const rejectPaid = await t.request('POST', `/v1/rewards/${a.id}/reject`, {
      key: brand.key,
      body: { reason: 'late' },
    });
    expect(rejectPaid.status).toBe(409);
  });

  it("answers 404 for another brand's reward, exactly like a missing one", async () => {
    const { brand, p, rules, alice } = await setup();
    const [reward] = (await sendEvent(t, brand, purchaseEvent({ code: alice.code }))).body.rewards;
    const other = await t.createBrand();
    for (const [method, path, body] of [
      ['GET', `/v1/rewards/${reward.id}`, undefined],
      ['POST', `/v1/rewards/${reward.id}/approve`, undefined],
      ['POST', `/v1/rewards/${reward.id}/reject`, { reason: 'x' }],
      ['GET', '/v1/rewards/rwd_doesnotexist000000', undefined],
      [
        'GET',
        `/v1/programs/${p.programId}/reward-rules/${rules.friendRule}/coupon-codes`,
        undefined,
      ],
      [
        'POST',
        `/v1/programs/${p.programId}/reward-rules/${rules.friendRule}/coupon-codes`,
        { codes: ['A1'] },
      ],
    ] as const) {
      const res = await t.request(method, path, { key: other.key, body });
      expect([path, res.status, res.body.error.code]).toEqual([path, 404, 'not_found']);
    }
    expect((await t.request('GET', '/v1/rewards', { key: other.key })).body.data).toEqual([]);
    expect((await t.request('GET', '/v1/reviews', { key: other.key })).body.data).toEqual([]);
    const untouched = await t.request('GET', `/v1/rewards/${reward.id}`, { key: brand.key });
    expect(untouched.body.status).toBe('pending');
  });

  it('the approval job approves due pending rewards and leaves held ones for review', async () => {
    const { brand, p, alice } = await setup({ holdDays: 0 });
    const due = (await sendEvent(t, brand, purchaseEvent({ code: alice.code }))).body.rewards;
    // a paused advocate's rewards are held
    const bob = await createAdvocate(t, p);
    await t.request('PATCH', `/v1/advocates/${bob.id}`, {
      key: brand.key,
      body: { status: 'paused' },
    });
    const held = (await sendEvent(t, brand, purchaseEvent({ code: bob.code }))).body.rewards;
    expect(held.map((r: any) => r.status)).toEqual(['held', 'held']);
    // not due yet: a program with a hold period
    const later = await setup({ holdDays: 30 });
    const notDue = (await sendEvent(t, later.brand, purchaseEvent({ code: later.alice.code }))).body
      .rewards;

    const approved = await t.app.get(RewardApprovalJob).approveDue();
    expect(approved).toBeGreaterThanOrEqual(2);
    const status = async (brandKey: string, id: string) =>
      (await t.request('GET', `/v1/rewards/${id}`, { key: brandKey })).body.status;
    for (const r of due) expect(await status(brand.key, r.id)).toBe('approved');
    for (const r of held) expect(await status(brand.key, r.id)).toBe('held');
    for (const r of notDue) expect(await status(later.brand.key, r.id)).toBe('pending');

    const reviews = await t.request('GET', '/v1/reviews?type=reward', { key: brand.key });
    expect(reviews.body.data.map((r: any) => [r.type, r.status, r.reason, r.advocateId])).toEqual([
      ['reward', 'held', 'advocate_paused', bob.id],
      ['reward', 'held', 'advocate_paused', bob.id],
    ]);
    expect(reviews.body.data.find((r: any) => r.reward.recipient === 'advocate').reward).toEqual({
      recipient: 'advocate',
      kind: 'cash',
      amount: 1000,
      currency: 'USD',
    });
    expect(
      (await t.request('GET', '/v1/reviews?type=referral', { key: brand.key })).body.data,
    ).toEqual([]);
    expect((await t.request('GET', '/v1/reviews?type=nope', { key: brand.key })).status).toBe(400);

    // a reviewer approves one held reward: it leaves the review list
    await t.request('POST', `/v1/rewards/${held[0].id}/approve`, { key: brand.key });
    expect((await t.request('GET', '/v1/reviews', { key: brand.key })).body.data).toHaveLength(1);
  });

  it('several job runs at once approve each reward once', async () => {
    const { brand, alice } = await setup({ holdDays: 0 });
    for (let i = 0; i < 5; i += 1) await sendEvent(t, brand, purchaseEvent({ code: alice.code }));
    const job = t.app.get(RewardApprovalJob);
    await Promise.all([job.approveDue(), job.approveDue(), job.approveDue()]);
    const rows = await db.query(
      `SELECT status, count(*)::int AS n FROM rewards WHERE brand_id = $1 GROUP BY status`,
      [brand.id],
    );
    expect(rows).toEqual([{ status: 'approved', n: 10 }]);
  });

  it('documents every route in OpenAPI', async () => {
    const doc = (await t.request('GET', '/docs-json')).body;
    for (const path of [
      '/v1/events',
      '/v1/events/batch',
      '/v1/rewards',
      '/v1/rewards/{id}/approve',
      '/v1/rewards/{id}/reject',
      '/v1/reviews',
      '/v1/programs/{id}/reward-rules/{ruleId}/coupon-codes',
    ]) {
      expect(doc.paths[path]).toBeDefined();
    }
    expect(Object.keys(doc.components.schemas.EventResultDto.properties)).toEqual([
      'id',
      'eventId',
      'type',
      'status',
      'attribution',
      'reason',
      'referral',
      'rewards',
      'skipped',
      'reversed',
    ]);
  });
});
