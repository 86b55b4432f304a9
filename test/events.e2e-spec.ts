import { DataSource } from 'typeorm';
import { rowCounter, startApp, TestApp } from './helpers/app';
import {
  clickLink,
  createAdvocate,
  createProgram,
  createRule,
  createTwoSidedRules,
  purchaseEvent,
  refundEvent,
  sendEvent,
  signClick,
  uniqueId,
} from './helpers/event-factories';

const DAY = 86_400_000;

describe('conversion events → attribution → two-way rewards', () => {
  let t: TestApp;
  let db: DataSource;
  let count: ReturnType<typeof rowCounter>;
  beforeAll(async () => {
    t = await startApp();
    db = t.app.get(DataSource);
    count = rowCounter(t);
  });
  afterAll(() => t.close());

  it('click → signup → purchase gives the advocate 10.00 USD and the friend a coupon', async () => {
    const brand = await t.createBrand();
    const p = await createProgram(t, brand);
    const rules = await createTwoSidedRules(t, p);
    const alice = await createAdvocate(t, p);
    const tclid = await clickLink(t, alice);
    const customer = { id: uniqueId('cust'), email: 'friend@example.com' };

    const signup = await sendEvent(t, brand, {
      id: uniqueId('signup'),
      type: 'signup',
      occurredAt: new Date().toISOString(),
      customer,
      clickId: tclid,
    });
    expect(signup.status).toBe(201);
    expect(signup.body).toMatchObject({
      type: 'signup',
      status: 'attributed',
      reason: null,
      attribution: {
        advocateId: alice.id,
        programId: p.programId,
        ctaKey: 'ig-story',
        channel: 'instagram',
        method: 'click',
        clickId: tclid,
        model: 'last_touch',
        windowDays: 30,
      },
      referral: { status: 'pending' },
      rewards: [],
      skipped: [],
    });

    // The shop no longer has the tclid at checkout: the referral carries the purchase.
    const purchase = await sendEvent(t, brand, purchaseEvent({ customer: { id: customer.id } }));
    expect(purchase.status).toBe(201);
    expect(purchase.body).toMatchObject({
      status: 'attributed',
      attribution: { advocateId: alice.id, method: 'referral', ctaKey: 'ig-story' },
      referral: { id: signup.body.referral.id, status: 'converted' },
    });
    const byRecipient = Object.fromEntries(purchase.body.rewards.map((r: any) => [r.recipient, r]));
    expect(byRecipient.advocate).toMatchObject({
      ruleId: rules.advocateRule,
      kind: 'cash',
      amount: 1000,
      currency: 'USD',
      status: 'pending',
    });
    expect(byRecipient.friend).toMatchObject({
      ruleId: rules.friendRule,
      kind: 'coupon',
      amount: null,
      percent: 15,
      status: 'pending',
    });
    expect(byRecipient.friend.couponCode).toMatch(/^[2-9A-HJKMNP-Z]{10}$/);
    // hold period (14 days) from occurredAt
    const occurred = new Date(purchase.body.rewards[0].availableAt).getTime() - 14 * DAY;
    expect(Math.abs(occurred - Date.now())).toBeLessThan(60_000);

    const listed = await t.request('GET', `/v1/rewards?programId=${p.programId}`, {
      key: brand.key,
    });
    expect(listed.status).toBe(200);
    expect(listed.body.data).toHaveLength(2);
    expect(listed.body.data[0]).toMatchObject({
      eventId: purchase.body.eventId,
      referralId: signup.body.referral.id,
      advocateId: alice.id,
      customerId: customer.id,
      reversedAmount: 0,
      payoutBatchId: null,
      clawbackOf: null,
    });
  });

  it('credits a code typed at checkout, whatever its case, with the CTA the brand names', async () => {
    const brand = await t.createBrand();
    const p = await createProgram(t, brand, {}, [
      ['ig-story', 'instagram'],
      ['tiktok-bio', 'tiktok'],
    ]);
    await createTwoSidedRules(t, p);
    const bob = await createAdvocate(t, p, {}, 'bob-summer');
    const res = await sendEvent(
      t,
      brand,
      purchaseEvent({ code: ' Bob-Summer ', ctaKey: 'tiktok-bio' }),
    );
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      status: 'attributed',
      attribution: {
        advocateId: bob.id,
        method: 'code',
        ctaKey: 'tiktok-bio',
        channel: 'tiktok',
        clickId: null,
      },
    });
    expect(res.body.rewards).toHaveLength(2);

    // a CTA key the program does not have: the code still counts, without a CTA or channel
    const staleKey = await sendEvent(
      t,
      brand,
      purchaseEvent({ code: 'bob-summer', ctaKey: 'old-banner' }),
    );
    expect(staleKey.status).toBe(201);
    expect(staleKey.body).toMatchObject({
      status: 'attributed',
      attribution: { advocateId: bob.id, method: 'code', ctaKey: null, channel: null },
    });

    const unknown = await sendEvent(t, brand, purchaseEvent({ code: 'NOPE-123' }));
    expect(unknown.body).toMatchObject({
      status: 'unattributed',
      reason: 'unknown_code',
      attribution: null,
      referral: null,
      rewards: [],
    });
  });

  it('keeps a second purchase with the advocate who brought the friend (sticky)', async () => {
    const brand = await t.createBrand();
    const p = await createProgram(t, brand);
    const { advocateRule, friendRule } = await createTwoSidedRules(t, p, {
      friend: { conditions: { firstPurchaseOnly: true } },
    });
    const alice = await createAdvocate(t, p);
    const bob = await createAdvocate(t, p);
    const customer = { id: uniqueId('cust') };
    const first = await sendEvent(
      t,
      brand,
      purchaseEvent({ customer, clickId: await clickLink(t, alice) }),
    );
    expect(first.body.referral.status).toBe('converted');

    // Later the friend clicks Bob's link: the converted referral stays Alice's.
    const second = await sendEvent(
      t,
      brand,
      purchaseEvent({ customer, clickId: await clickLink(t, bob) }),
    );
    expect(second.body).toMatchObject({
      status: 'attributed',
      attribution: { advocateId: alice.id, method: 'referral' },
      referral: { id: first.body.referral.id, status: 'converted' },
      rewards: [{ ruleId: advocateRule, recipient: 'advocate', amount: 1000 }],
      skipped: [
        { ruleId: friendRule, recipient: 'friend', reason: 'condition_not_met:firstPurchaseOnly' },
      ],
    });
    expect(await count('referrals WHERE program_id = $1', [p.programId])).toBe(1);
  });

  it('credits the last touch by default and the first touch when the program says so', async () => {
    for (const model of ['last_touch', 'first_touch'] as const) {
      const brand = await t.createBrand();
      const p = await createProgram(t, brand, { attribution: { windowDays: 30, model } });
      await createTwoSidedRules(t, p);
      const alice = await createAdvocate(t, p);
      const bob = await createAdvocate(t, p);
      const customer = { id: uniqueId('cust') };
      // Alice's link five days ago brought the signup; Bob's link today brought the purchase.
      const signup = await sendEvent(t, brand, {
        id: uniqueId('signup'),
        type: 'signup',
        occurredAt: new Date(Date.now() - 4 * DAY).toISOString(),
        customer,
        clickId: signClick(t, alice, new Date(Date.now() - 5 * DAY)),
      });
      expect(signup.body.attribution.advocateId).toBe(alice.id);
      // an hour before the purchase (a purchase seconds after its click is held: fastConversion)
      const bobClick = signClick(t, bob, new Date(Date.now() - 3_600_000));
      const purchase = await sendEvent(t, brand, purchaseEvent({ customer, clickId: bobClick }));
      const expected = model === 'last_touch' ? bob.id : alice.id;
      expect(purchase.body.attribution).toMatchObject({ advocateId: expected, model });
      expect(purchase.body.referral).toEqual({ id: signup.body.referral.id, status: 'converted' });
      expect(purchase.body.rewards.find((r: any) => r.recipient === 'advocate')).toBeTruthy();
      const rewardAdvocates = await db.query(
        `SELECT DISTINCT advocate_id FROM rewards WHERE event_id = $1`,
        [purchase.body.eventId],
      );
      expect(rewardAdvocates).toEqual([{ advocate_id: expected }]);
    }
  });

  it('records clicks outside the window, forged or of a paused program as unattributed, with why', async () => {
    const brand = await t.createBrand();
    const p = await createProgram(t, brand, { attribution: { windowDays: 7 } });
    await createTwoSidedRules(t, p);
    const alice = await createAdvocate(t, p);
    const old = signClick(t, alice, new Date(Date.now() - 8 * DAY));
    const expired = await sendEvent(t, brand, purchaseEvent({ clickId: old }));
    expect(expired.status).toBe(201);
    expect(expired.body).toMatchObject({
      status: 'unattributed',
      reason: 'click_outside_window',
      rewards: [],
    });

    const inside = await sendEvent(
      t,
      brand,
      purchaseEvent({ clickId: signClick(t, alice, new Date(Date.now() - 6 * DAY)) }),
    );
    expect(inside.body.status).toBe('attributed');

    const forged = await sendEvent(t, brand, purchaseEvent({ clickId: `${old.slice(0, -2)}xx` }));
    expect(forged.body).toMatchObject({ status: 'unattributed', reason: 'click_id_invalid' });
    const none = await sendEvent(t, brand, purchaseEvent());
    expect(none.body).toMatchObject({ status: 'unattributed', reason: 'no_referral_signal' });

    const fresh = await clickLink(t, alice);
    await t.request('PATCH', `/v1/programs/${p.programId}`, {
      key: brand.key,
      body: { status: 'paused' },
    });
    const paused = await sendEvent(t, brand, purchaseEvent({ clickId: fresh }));
    expect(paused.body).toMatchObject({ status: 'unattributed', reason: 'program_not_active' });
    const recorded = await db.query(
      `SELECT status, reason FROM events WHERE brand_id = $1 AND event_id = $2`,
      [brand.id, paused.body.id],
    );
    expect(recorded).toEqual([{ status: 'unattributed', reason: 'program_not_active' }]);
  });

  it('refuses self-referrals (same customer id, same gmail mailbox) and lists them in /v1/reviews', async () => {
    const brand = await t.createBrand();
    const p = await createProgram(t, brand);
    await createTwoSidedRules(t, p);
    const alice = await createAdvocate(t, p, { email: 'Alice.Martin@gmail.com' });

    const sameId = await sendEvent(
      t,
      brand,
      purchaseEvent({ customer: { id: alice.externalId }, code: alice.code }),
    );
    expect(sameId.body).toMatchObject({
      status: 'rejected',
      reason: 'self_referral',
      attribution: { advocateId: alice.id },
      referral: { status: 'rejected' },
      rewards: [],
    });
    const sameMailbox = await sendEvent(
      t,
      brand,
      purchaseEvent({
        customer: { id: uniqueId('cust'), email: 'alicemartin+deals@googlemail.com' },
        clickId: await clickLink(t, alice),
      }),
    );
    expect(sameMailbox.body).toMatchObject({ status: 'rejected', reason: 'self_referral' });
    expect(await count('rewards WHERE brand_id = $1', [brand.id])).toBe(0);

    const reviews = await t.request('GET', '/v1/reviews', { key: brand.key });
    expect(reviews.status).toBe(200);
    expect(reviews.body.data).toHaveLength(2);
    expect(reviews.body.data[0]).toMatchObject({
      type: 'referral',
      id: sameMailbox.body.referral.id,
      status: 'rejected',
      reason: 'self_referral',
      programId: p.programId,
      advocateId: alice.id,
      eventId: sameMailbox.body.eventId,
    });
    expect(reviews.body.data[1]).toMatchObject({
      id: sameId.body.referral.id,
      customerId: alice.externalId,
    });
    const page = await t.request('GET', '/v1/reviews?limit=1', { key: brand.key });
    const next = await t.request('GET', `/v1/reviews?limit=1&cursor=${page.body.nextCursor}`, {
      key: brand.key,
    });
    expect([page.body.data[0].id, next.body.data[0].id]).toEqual(
      reviews.body.data.map((r: any) => r.id),
    );
    expect(next.body.nextCursor).toBeNull();
  });

  it("gives nothing once the program's budget is exhausted, and says so", async () => {
    const brand = await t.createBrand();
    const p = await createProgram(t, brand, { budget: { amount: 2500, currency: 'USD' } });
    const { advocateRule } = await createTwoSidedRules(t, p);
    const alice = await createAdvocate(t, p);
    const answers = [];
    for (let i = 0; i < 3; i += 1) {
      answers.push((await sendEvent(t, brand, purchaseEvent({ code: alice.code }))).body);
    }
    expect(
      answers.map((a) => a.rewards.find((r: any) => r.recipient === 'advocate')?.amount ?? null),
    ).toEqual([1000, 1000, null]);
    expect(answers[2].skipped).toEqual([
      { ruleId: advocateRule, recipient: 'advocate', reason: 'budget_exhausted' },
    ]);
    // the percent-off coupon spends no money: the friend still gets it
    expect(answers[2].rewards).toEqual([
      expect.objectContaining({ recipient: 'friend', kind: 'coupon' }),
    ]);
  });

  it('enforces per-advocate limits and the rule budget under concurrency', async () => {
    const brand = await t.createBrand();
    const p = await createProgram(t, brand);
    const limited = await createRule(t, p, {
      trigger: { event: 'purchase' },
      recipient: 'advocate',
      reward: { kind: 'cash', amount: 500 },
      limits: { perAdvocatePerMonth: { count: 3 } },
    });
    const budgeted = await createRule(t, p, {
      trigger: { event: 'purchase' },
      recipient: 'friend',
      reward: { kind: 'credit', percent: 10 },
      limits: { programBudget: 5000 },
    });
    const alice = await createAdvocate(t, p);
    const answers = await Promise.all(
      Array.from({ length: 8 }, () =>
        sendEvent(
          t,
          brand,
          purchaseEvent({
            code: alice.code,
            order: { id: uniqueId('o'), amount: 10_000, currency: 'USD' },
          }),
        ),
      ),
    );
    const given = (ruleId: string) =>
      answers.filter((a) => a.body.rewards.some((r: any) => r.ruleId === ruleId)).length;
    expect(given(limited)).toBe(3);
    expect(given(budgeted)).toBe(5);
    const reasons = answers.flatMap((a) => a.body.skipped.map((s: any) => s.reason)).sort();
    expect(reasons).toEqual([
      ...Array(3).fill('budget_exhausted:rule'),
      ...Array(5).fill('limit_reached:perAdvocatePerMonth'),
    ]);
    const sums = await db.query(
      `SELECT rule_id, count(*)::int AS n, sum(amount)::int AS total FROM rewards WHERE program_id = $1 GROUP BY rule_id ORDER BY n`,
      [p.programId],
    );
    expect(sums).toEqual([
      { rule_id: limited, n: 3, total: 1500 },
      { rule_id: budgeted, n: 5, total: 5000 },
    ]);
  });

  it('gives a milestone bonus on the advocate’s 2nd converted referral only', async () => {
    const brand = await t.createBrand();
    const p = await createProgram(t, brand);
    const bonus = await createRule(t, p, {
      trigger: { event: 'purchase' },
      recipient: 'advocate',
      reward: { kind: 'cash', amount: 5000 },
      milestone: { nthReferral: 2 },
    });
    const alice = await createAdvocate(t, p);
    const reasons = [];
    const friends = [uniqueId('cust'), uniqueId('cust'), uniqueId('cust')];
    for (const id of friends) {
      const res = await sendEvent(t, brand, purchaseEvent({ code: alice.code, customer: { id } }));
      reasons.push(res.body.skipped[0]?.reason ?? res.body.rewards[0]?.ruleId);
    }
    expect(reasons).toEqual(['milestone_not_reached', bonus, 'milestone_already_reached']);
    // the friend whose purchase reached it buys again: reached already, not "not reached"
    const again = await sendEvent(
      t,
      brand,
      purchaseEvent({ code: alice.code, customer: { id: friends[1] } }),
    );
    expect(again.body.skipped).toEqual([
      expect.objectContaining({ ruleId: bonus, reason: 'milestone_already_reached' }),
    ]);
  });

  it('pays a signup reward once per friend: a repeated signup, in a batch, or after last touch moved the referral', async () => {
    const brand = await t.createBrand();
    const p = await createProgram(t, brand);
    const signupRule = (recipient: string) =>
      createRule(t, p, {
        trigger: { event: 'signup' },
        recipient,
        reward: { kind: 'cash', amount: 300 },
      });
    const advocateRule = await signupRule('advocate');
    const friendRule = await signupRule('friend');
    const alice = await createAdvocate(t, p);
    const bob = await createAdvocate(t, p);
    const signup = (customerId: string, code: string) => ({
      id: uniqueId('signup'),
      type: 'signup',
      occurredAt: new Date().toISOString(),
      customer: { id: customerId },
      code,
    });
    const repeat = [
      { ruleId: advocateRule, recipient: 'advocate', reason: 'repeat_signup' },
      { ruleId: friendRule, recipient: 'friend', reason: 'repeat_signup' },
    ];

    const ann = uniqueId('cust');
    const first = await sendEvent(t, brand, signup(ann, alice.code));
    expect(first.body.rewards.map((r: any) => r.amount)).toEqual([300, 300]);
    const second = await sendEvent(t, brand, signup(ann, alice.code));
    expect([second.status, second.body.rewards, second.body.skipped]).toEqual([201, [], repeat]);
    // last touch moves the pending referral to Bob: his signup event earns nothing either
    const moved = await sendEvent(t, brand, signup(ann, bob.code));
    expect(moved.body.attribution.advocateId).toBe(bob.id);
    expect([moved.body.rewards, moved.body.skipped]).toEqual([[], repeat]);

    const cid = uniqueId('cust');
    const batch = await t.request('POST', '/v1/events/batch', {
      key: brand.key,
      body: { events: [signup(cid, alice.code), signup(cid, alice.code)] },
    });
    const [one, two] = batch.body.results.map((r: any) => r.result);
    expect(one.rewards).toHaveLength(2);
    expect([two.rewards, two.skipped]).toEqual([[], repeat]);
    expect(await count('rewards WHERE brand_id = $1', [brand.id])).toBe(4);
  });

  it('takes coupon codes from the pool once, and reports an empty pool', async () => {
    const brand = await t.createBrand();
    const p = await createProgram(t, brand);
    const { friendRule } = await createTwoSidedRules(t, p, {
      friend: { reward: { kind: 'coupon', amount: 1500 } },
    });
    const path = `/v1/programs/${p.programId}/reward-rules/${friendRule}/coupon-codes`;
    const added = await t.request('POST', path, {
      key: brand.key,
      body: { codes: ['WELCOME-1', 'WELCOME-2', 'WELCOME-1'] },
    });
    expect(added.status).toBe(201);
    expect(added.body).toEqual({ added: 2, duplicates: 1 });
    const again = await t.request('POST', path, {
      key: brand.key,
      body: { codes: ['WELCOME-2', 'WELCOME-3'] },
    });
    expect(again.body).toEqual({ added: 1, duplicates: 1 });

    const alice = await createAdvocate(t, p);
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => sendEvent(t, brand, purchaseEvent({ code: alice.code }))),
    );
    const codes = answers.flatMap((a) =>
      a.body.rewards.filter((r: any) => r.recipient === 'friend').map((r: any) => r.couponCode),
    );
    expect(codes.sort()).toEqual(['WELCOME-1', 'WELCOME-2', 'WELCOME-3']);
    const empty = answers.find((a) => a.body.skipped.length > 0)!;
    expect(empty.status).toBe(201);
    expect(empty.body.skipped).toEqual([
      { ruleId: friendRule, recipient: 'friend', reason: 'coupon_pool_empty' },
    ]);
    expect(empty.body.rewards).toEqual([
      expect.objectContaining({ recipient: 'advocate', amount: 1000 }),
    ]);

    expect((await t.request('GET', path, { key: brand.key })).body).toEqual({
      ruleId: friendRule,
      available: 0,
      assigned: 3,
    });
    expect((await t.request('GET', `${path}?status=assigned`, { key: brand.key })).body).toEqual({
      ruleId: friendRule,
      assigned: 3,
    });
    const notCoupon = await t.request(
      'POST',
      path.replace(
        friendRule,
        (
          await t.request('GET', `/v1/programs/${p.programId}/reward-rules`, { key: brand.key })
        ).body.data.find((r: any) => r.reward.kind === 'cash').id,
      ),
      { key: brand.key, body: { codes: ['X1'] } },
    );
    expect(notCoupon.status).toBe(422);
    const bad = await t.request('POST', path, { key: brand.key, body: { codes: ['has space'] } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe('codes[0]');
  });

  it('names each bad coupon code by its position and adds none of the batch', async () => {
    const brand = await t.createBrand();
    const p = await createProgram(t, brand);
    const { friendRule } = await createTwoSidedRules(t, p, {
      friend: { reward: { kind: 'coupon', amount: 1500 } },
    });
    const path = `/v1/programs/${p.programId}/reward-rules/${friendRule}/coupon-codes`;
    // one issue for the whole array ("codes") left a brand searching a 10,000-code file
    const bad = await t.request('POST', path, {
      key: brand.key,
      body: { codes: ['OK-1', 'has space', 'OK-2', 7, 'x'.repeat(65)] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'validation_failed' });
    expect(bad.body.error.details).toEqual([
      { field: 'codes[1]', issue: 'must be 1-64 printable characters without spaces' },
      { field: 'codes[3]', issue: 'must be a string' },
      { field: 'codes[4]', issue: 'must be 1-64 printable characters without spaces' },
    ]);
    const many = await t.request('POST', path, {
      key: brand.key,
      body: { codes: Array.from({ length: 250 }, (_, i) => (i % 2 ? `bad ${i}` : `OK-${i}`)) },
    });
    expect(many.status).toBe(400);
    expect(many.body.error.details).toHaveLength(101);
    expect(many.body.error.details[0]).toEqual({
      field: 'codes[1]',
      issue: 'must be 1-64 printable characters without spaces',
    });
    expect(many.body.error.details[100]).toEqual({
      field: 'codes',
      issue: 'has 25 more invalid codes',
    });
    expect((await t.request('GET', path, { key: brand.key })).body).toEqual({
      ruleId: friendRule,
      available: 0,
      assigned: 0,
    });
    // another brand's rule stays a 404, exactly like a missing one
    const other = await t.createBrand();
    const foreign = await t.request('POST', path, { key: other.key, body: { codes: ['A1'] } });
    expect(foreign.status).toBe(404);
  });

  it('answers a retry with the first answer and a reused id with 409', async () => {
    const brand = await t.createBrand();
    const p = await createProgram(t, brand);
    await createTwoSidedRules(t, p);
    const alice = await createAdvocate(t, p);
    const event = purchaseEvent({ code: alice.code });
    const first = await sendEvent(t, brand, event);
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replay')).toBeNull();
    // same content, keys in another order
    const reordered = Object.fromEntries(Object.entries(event).reverse());
    const retry = await sendEvent(t, brand, reordered);
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replay')).toBe('true');
    expect(retry.body).toEqual(first.body);
    expect(retry.text).toBe(first.text); // byte for byte, keys in the same order

    const changed = await sendEvent(t, brand, {
      ...event,
      order: { ...(event.order as object), amount: 1 },
    });
    expect(changed.status).toBe(409);
    expect(changed.body.error).toEqual({
      code: 'idempotency_conflict',
      message: expect.any(String),
      details: [{ field: 'id', issue: 'was already used with a different body' }],
    });
    expect(await count('events WHERE brand_id = $1', [brand.id])).toBe(1);
    expect(await count('rewards WHERE brand_id = $1', [brand.id])).toBe(2);

    // another brand may use the same event id
    const other = await t.createBrand();
    const elsewhere = await sendEvent(t, other, event);
    expect(elsewhere.status).toBe(201);
    expect(elsewhere.body.status).toBe('unattributed');

    // A refund repeats the purchase's attribution as the purchase answered it, and its own
    // retry is byte for byte too.
    const refund = refundEvent((event.order as { id: string }).id, 12_900);
    const refunded = await sendEvent(t, brand, refund);
    expect(refunded.status).toBe(201);
    expect(JSON.stringify(refunded.body.attribution)).toBe(JSON.stringify(first.body.attribution));
    expect((await sendEvent(t, brand, refund)).text).toBe(refunded.text);
  });

  it('records 50 concurrent deliveries of one event once: one event, one referral, one set of rewards', async () => {
    const brand = await t.createBrand();
    const p = await createProgram(t, brand);
    await createTwoSidedRules(t, p);
    const alice = await createAdvocate(t, p);
    const event = purchaseEvent({ clickId: await clickLink(t, alice) });
    const answers = await Promise.all(Array.from({ length: 50 }, () => sendEvent(t, brand, event)));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(49);
    const created = answers.find((a) => a.status === 201)!;
    for (const a of answers) expect(a.body).toEqual(created.body);
    expect(await count('events WHERE brand_id = $1', [brand.id])).toBe(1);
    expect(await count('referrals WHERE brand_id = $1', [brand.id])).toBe(1);
    expect(await count('rewards WHERE brand_id = $1', [brand.id])).toBe(2);
    expect(await count('customers WHERE brand_id = $1', [brand.id])).toBe(1);
  });

  it('refuses bad events naming the field, and writes nothing', async () => {
    const brand = await t.createBrand();
    const base = purchaseEvent();
    const cases: [unknown, string][] = [
      [{ ...base, id: '' }, 'id'],
      [{ ...base, type: 'sale' }, 'type'],
      [{ ...base, occurredAt: 'yesterday' }, 'occurredAt'],
      [{ ...base, occurredAt: new Date(Date.now() + DAY).toISOString() }, 'occurredAt'],
      [{ ...base, order: undefined }, 'order'],
      [{ ...base, order: { id: 'o', amount: -1, currency: 'USD' } }, 'order.amount'],
      [{ ...base, order: { id: 'o', amount: 1.5, currency: 'USD' } }, 'order.amount'],
      // Past 10^12 minor units: sums of such amounts would no longer be exact.
      [{ ...base, order: { id: 'o', amount: 10 ** 12 + 1, currency: 'USD' } }, 'order.amount'],
      [{ ...base, order: { id: 'o', amount: 2 ** 53 - 1, currency: 'USD' } }, 'order.amount'],
      [{ ...base, order: { id: 'o', amount: 100, currency: 'XYZ' } }, 'order.currency'],
      [{ ...base, customer: undefined }, 'customer'],
      [{ ...base, customer: { id: 'c', email: 'not-an-email' } }, 'customer.email'],
      [{ ...base, name: 'oops' }, 'name'],
      [{ ...base, type: 'custom' }, 'name'],
      [{ ...base, ctaKey: 'Not A Key' }, 'ctaKey'],
      [{ ...base, clickId: 'x'.repeat(501) }, 'clickId'],
      [{ ...base, metadata: { blob: 'x'.repeat(9000) } }, 'metadata'],
      [{ ...base, surprise: true }, 'surprise'],
      [{ ...base, type: 'refund', order: { id: 'o', amount: 0, currency: 'USD' } }, 'order.amount'],
    ];
    for (const [body, field] of cases) {
      const res = await sendEvent(t, brand, body);
      expect([res.status, res.body.error.code]).toEqual([400, 'validation_failed']);
      expect(res.body.error.details.map((d: any) => d.field)).toContain(field);
    }
    const notJson = await t.request('POST', '/v1/events', {
      key: brand.key,
      rawBody: '{',
      headers: { 'content-type': 'application/json' },
    });
    expect(notJson.status).toBe(400);
    expect(await count('events WHERE brand_id = $1', [brand.id])).toBe(0);
    expect(await count('customers WHERE brand_id = $1', [brand.id])).toBe(0);
  });

  it('takes orders up to 10^12 minor units and adds their rewards up exactly', async () => {
    const brand = await t.createBrand();
    const p = await createProgram(t, brand);
    await createRule(t, p, {
      trigger: { event: 'purchase' },
      recipient: 'advocate',
      reward: { kind: 'cash', percent: 100 },
    });
    const alice = await createAdvocate(t, p);
    const max = 10 ** 12;
    for (let i = 0; i < 12; i++) {
      const res = await sendEvent(
        t,
        brand,
        purchaseEvent({
          code: alice.code,
          order: { id: uniqueId('o'), amount: max, currency: 'USD' },
        }),
      );
      expect([res.status, res.body.rewards[0]?.amount]).toEqual([201, max]);
    }
    // 12 × 10^12: far past 2^32, still well inside the exact range of a JSON number.
    const balances = await t.request('GET', '/v1/payouts/balances?currency=USD', {
      key: brand.key,
    });
    expect([balances.status, balances.body.totals.pending]).toEqual([200, 12 * max]);
    const kpis = await t.request('GET', `/v1/programs/${p.programId}/kpis`, { key: brand.key });
    expect(kpis.status).toBe(200);
    expect(kpis.body).toMatchObject({ revenue: 12 * max, rewardCost: 12 * max });
  });

  it('needs the track scope (or admin)', async () => {
    const brand = await t.createBrand();
    const make = async (scopes: string[]) =>
      (
        await t.request('POST', '/v1/api-keys', {
          key: brand.key,
          body: { name: scopes.join(), scopes },
        })
      ).body.secret as string;
    const track = await make(['track']);
    const read = await make(['read']);
    expect(
      (await t.request('POST', '/v1/events', { key: track, body: purchaseEvent() })).status,
    ).toBe(201);
    expect(
      (await t.request('POST', '/v1/events', { key: read, body: purchaseEvent() })).status,
    ).toBe(403);
    expect((await t.request('POST', '/v1/events', { body: purchaseEvent() })).status).toBe(401);
    expect((await t.request('GET', '/v1/rewards', { key: track })).status).toBe(403);
    expect((await t.request('GET', '/v1/reviews', { key: track })).status).toBe(403);
  });

  it("never matches another brand's code, click or customer", async () => {
    const mine = await t.createBrand();
    const p = await createProgram(t, mine);
    await createTwoSidedRules(t, p);
    const alice = await createAdvocate(t, p);
    const tclid = await clickLink(t, alice);
    const customer = { id: uniqueId('shared-cust') };
    const attributed = await sendEvent(t, mine, purchaseEvent({ customer, clickId: tclid }));
    expect(attributed.body.status).toBe('attributed');

    const theirs = await t.createBrand();
    const q = await createProgram(t, theirs);
    await createTwoSidedRules(t, q);
    const viaClick = await sendEvent(t, theirs, purchaseEvent({ clickId: tclid }));
    expect(viaClick.body).toMatchObject({ status: 'unattributed', reason: 'click_id_invalid' });
    const viaCode = await sendEvent(t, theirs, purchaseEvent({ code: alice.code }));
    expect(viaCode.body).toMatchObject({ status: 'unattributed', reason: 'unknown_code' });
    // the same customer id in the other brand has no referral there
    const viaCustomer = await sendEvent(t, theirs, purchaseEvent({ customer }));
    expect(viaCustomer.body).toMatchObject({
      status: 'unattributed',
      reason: 'no_referral_signal',
    });
    expect(await count('customers WHERE brand_id = $1', [theirs.id])).toBe(3);
  });
});
