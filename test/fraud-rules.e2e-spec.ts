import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { ClickWriter } from '@/modules/tracking/click-writer';
import { USER_AGENT_FAMILIES } from '@/modules/tracking/user-agent';
import { RewardApprovalJob } from '@/modules/rewards/reward-approval.job';
import { Brand, startApp, TestApp } from './helpers/app';
import { approve, createdBatch, soon } from './helpers/payouts';
import {
  AdvocateSetup,
  createAdvocate,
  createProgram,
  createRule,
  createTwoSidedRules,
  ProgramSetup,
  purchaseEvent,
  sendEvent,
  signClick,
  uniqueId,
} from './helpers/event-factories';

const IPHONE_SAFARI =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
const WINDOWS_CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
const MAC_FIREFOX =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14.4; rv:125.0) Gecko/20100101 Firefox/125.0';
const ANDROID_INSTAGRAM =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36 Instagram 330.0.0.40.92 Android';

describe('fraud rules: per-program settings, holds with reasons', () => {
  let t: TestApp;
  let db: DataSource;
  beforeAll(async () => {
    t = await startApp({ REWARD_APPROVAL_INTERVAL_MS: '0', WEBHOOKS_DISPATCH_INTERVAL_MS: '0' });
    db = t.app.get(DataSource);
  });
  afterAll(() => t.close());

  async function setup(
    rules: Record<string, unknown> = {},
    programOverrides: Record<string, unknown> = {},
  ): Promise<{ brand: Brand; p: ProgramSetup; alice: AdvocateSetup }> {
    const brand = await t.createBrand();
    const p = await createProgram(t, brand, programOverrides);
    await createTwoSidedRules(t, p);
    const alice = await createAdvocate(t, p);
    const put = await t.request('PUT', `/v1/programs/${p.programId}/fraud-rules`, {
      key: brand.key,
      body: { rules },
    });
    expect(put.status).toBe(200);
    return { brand, p, alice };
  }

  /** A visit through the advocate's link from this test machine (one office network) with a browser. */
  async function clickAs(a: AdvocateSetup, userAgent: string): Promise<string> {
    const link = a.links.find((l) => l.ctaKey === 'ig-story')!;
    const res = await t.request('GET', `/r/${link.slug}`, { headers: { 'user-agent': userAgent } });
    expect(res.status).toBe(302);
    await t.app.get(ClickWriter).flushAll(); // the click row is what the rules read
    return new URL(res.headers.get('location')!).searchParams.get('tclid')!;
  }

  const buy = async (brand: Brand, over: Record<string, unknown>) =>
    (await sendEvent(t, brand, purchaseEvent(over))).body;
  const statuses = (answer: any) => answer.rewards.map((r: any) => r.status);
  const held = (answer: any) => answer.referral.review?.rules ?? [];

  it('has sane defaults, takes partial settings, names bad fields, and 404s another brand', async () => {
    const brand = await t.createBrand();
    const p = await createProgram(t, brand);
    const path = `/v1/programs/${p.programId}/fraud-rules`;
    const defaults = await t.request('GET', path, { key: brand.key });
    expect(defaults.status).toBe(200);
    expect(defaults.body).toEqual({
      programId: p.programId,
      updatedAt: null,
      rules: {
        selfReferral: { enabled: true },
        sameVisitor: { enabled: true },
        disposableEmail: { enabled: true, blockedDomains: [], allowedDomains: [] },
        velocity: { enabled: true, maxPerHour: 20, maxPerDay: 100 },
        multipleAdvocates: { enabled: true, maxAdvocates: 1 },
        botClick: { enabled: true, userAgentFamilies: ['curl'] },
        fastConversion: { enabled: true, minSeconds: 10 },
      },
    });
    const put = await t.request('PUT', path, {
      key: brand.key,
      body: {
        rules: {
          velocity: { maxPerHour: 5 },
          sameVisitor: { enabled: false },
          disposableEmail: { blockedDomains: ['Relay.Example.NET'] },
        },
      },
    });
    expect(put.status).toBe(200);
    expect(put.body.rules.velocity).toEqual({ enabled: true, maxPerHour: 5, maxPerDay: 100 });
    expect(put.body.rules.sameVisitor).toEqual({ enabled: false });
    expect(put.body.rules.disposableEmail.blockedDomains).toEqual(['relay.example.net']);
    expect(put.body.updatedAt).not.toBeNull();
    expect((await t.request('GET', path, { key: brand.key })).body).toEqual(put.body);
    const reset = await t.request('PUT', path, { key: brand.key, body: { rules: {} } });
    expect(reset.body.rules).toEqual(defaults.body.rules);

    for (const [body, field] of [
      [{}, 'rules'],
      [{ rules: { velocity: { maxPerHour: 0 } } }, 'rules.velocity.maxPerHour'],
      [{ rules: { velocity: { maxPerHour: 10, maxPerDay: 5 } } }, 'rules.velocity.maxPerDay'],
      [{ rules: { fastConversion: { minSeconds: 'ten' } } }, 'rules.fastConversion.minSeconds'],
      [{ rules: { botClick: { enabled: 'yes' } } }, 'rules.botClick.enabled'],
      [
        { rules: { disposableEmail: { blockedDomains: ['not a domain'] } } },
        'rules.disposableEmail.blockedDomains',
      ],
      [{ rules: { lottery: { enabled: true } } }, 'rules.lottery'],
    ] as const) {
      const res = await t.request('PUT', path, { key: brand.key, body });
      expect([field, res.status]).toEqual([field, 400]);
      expect(res.body.error.details[0].field).toMatch(
        new RegExp(`^${field.replace(/\./g, '\\.')}`),
      );
    }
    const other = await t.createBrand();
    expect((await t.request('GET', path, { key: other.key })).status).toBe(404);
    expect((await t.request('PUT', path, { key: other.key, body: { rules: {} } })).status).toBe(
      404,
    );
    expect(
      (await t.request('GET', '/v1/programs/prg_nope/fraud-rules', { key: brand.key })).status,
    ).toBe(404);
    const track = (
      await t.request('POST', '/v1/api-keys', {
        key: brand.key,
        body: { name: 's', scopes: ['track'] },
      })
    ).body.secret;
    expect((await t.request('GET', path, { key: track })).status).toBe(403);
  });

  it('selfReferral: rejected by default and listed with its rule; switched off, the purchase counts', async () => {
    const { brand, p, alice } = await setup();
    const rejected = await buy(brand, { code: alice.code, customer: { id: alice.externalId } });
    expect(rejected).toMatchObject({ status: 'rejected', reason: 'self_referral', rewards: [] });
    const reviews = await t.request('GET', '/v1/reviews?rule=selfReferral', { key: brand.key });
    expect(reviews.body.data).toHaveLength(1);
    expect(reviews.body.data[0]).toMatchObject({
      id: rejected.referral.id,
      status: 'rejected',
      reasons: [{ rule: 'selfReferral', eventId: rejected.eventId }],
    });

    await t.request('PUT', `/v1/programs/${p.programId}/fraud-rules`, {
      key: brand.key,
      body: { rules: { selfReferral: { enabled: false } } },
    });
    const bob = await createAdvocate(t, p);
    const allowed = await buy(brand, { code: bob.code, customer: { id: bob.externalId } });
    expect(allowed).toMatchObject({ status: 'attributed' });
    expect(statuses(allowed)).toEqual(['pending', 'pending']);
  });

  it('sameVisitor: a legitimate pair on one office network passes; one device for two friends, or the advocate’s own, is held', async () => {
    const { brand, alice } = await setup({ fastConversion: { enabled: false } });
    // Two colleagues behind the same office IP (every request of this test comes from
    // 127.0.0.1), each on their own browser: different visitor identities.
    const ann = await buy(brand, {
      customer: { id: uniqueId('ann') },
      clickId: await clickAs(alice, IPHONE_SAFARI),
    });
    const ben = await buy(brand, {
      customer: { id: uniqueId('ben') },
      clickId: await clickAs(alice, WINDOWS_CHROME),
    });
    expect([held(ann), held(ben)]).toEqual([[], []]);
    expect([...statuses(ann), ...statuses(ben)]).toEqual([
      'pending',
      'pending',
      'pending',
      'pending',
    ]);

    // A third "friend" from Ann's very device (same IP and browser, same day): held.
    const cal = await buy(brand, {
      customer: { id: uniqueId('cal') },
      clickId: await clickAs(alice, IPHONE_SAFARI),
    });
    expect(held(cal)).toEqual(['sameVisitor']);
    expect(statuses(cal)).toEqual(['held', 'held']);

    // The advocate clicked her own link and bought herself (rejected as a self-referral)…
    const own = await buy(brand, {
      customer: { id: alice.externalId },
      clickId: await clickAs(alice, MAC_FIREFOX),
    });
    expect(own.status).toBe('rejected');
    // …then a "friend" converts from her device: held.
    const dan = await buy(brand, {
      customer: { id: uniqueId('dan') },
      clickId: await clickAs(alice, MAC_FIREFOX),
    });
    expect(held(dan)).toEqual(['sameVisitor']);
    const review = (await t.request('GET', '/v1/reviews?rule=sameVisitor', { key: brand.key })).body
      .data;
    expect(review.map((r: any) => [r.id, r.reasons[0].detail])).toEqual([
      [
        dan.referral.id,
        "the converting click came from the advocate's own device (same IP and user agent, same day)",
      ],
      [
        cal.referral.id,
        "the converting click came from the same device (same IP and user agent, same day) as another friend's referral of this advocate",
      ],
    ]);

    // Switched off, the same device passes.
    const off = await setup({
      fastConversion: { enabled: false },
      sameVisitor: { enabled: false },
    });
    await buy(off.brand, {
      customer: { id: uniqueId('x') },
      clickId: await clickAs(off.alice, ANDROID_INSTAGRAM),
    });
    const again = await buy(off.brand, {
      customer: { id: uniqueId('y') },
      clickId: await clickAs(off.alice, ANDROID_INSTAGRAM),
    });
    expect(held(again)).toEqual([]);
  });

  it('disposableEmail: the shipped list, reserved domains, and the brand’s own lists', async () => {
    const { brand, p, alice } = await setup();
    const throwaway = await buy(brand, {
      code: alice.code,
      customer: { id: uniqueId('c'), email: 'deal.hunter@mailinator.com' },
    });
    expect(held(throwaway)).toEqual(['disposableEmail']);
    expect(statuses(throwaway)).toEqual(['held', 'held']);
    const reserved = await buy(brand, {
      code: alice.code,
      customer: { id: uniqueId('c'), email: 'qa@shop.test' },
    });
    expect(held(reserved)).toEqual(['disposableEmail']);
    const real = await buy(brand, {
      code: alice.code,
      customer: { id: uniqueId('c'), email: 'sam@gmail.com' },
    });
    expect(held(real)).toEqual([]);
    const [item] = (
      await t.request('GET', `/v1/reviews?rule=disposableEmail&limit=1`, { key: brand.key })
    ).body.data;
    expect(item.reasons).toEqual([
      expect.objectContaining({
        rule: 'disposableEmail',
        detail: 'e-mail domain shop.test is not a public mail domain',
      }),
    ]);

    await t.request('PUT', `/v1/programs/${p.programId}/fraud-rules`, {
      key: brand.key,
      body: {
        rules: {
          disposableEmail: {
            blockedDomains: ['relay.example.net'],
            allowedDomains: ['mailinator.com'],
          },
        },
      },
    });
    const blocked = await buy(brand, {
      code: alice.code,
      customer: { id: uniqueId('c'), email: 'x@eu.relay.example.net' },
    });
    expect(held(blocked)).toEqual(['disposableEmail']);
    const allowed = await buy(brand, {
      code: alice.code,
      customer: { id: uniqueId('c'), email: 'y@mailinator.com' },
    });
    expect(held(allowed)).toEqual([]);
  });

  it('velocity: the referral over the hourly limit waits in the review queue until approved', async () => {
    const { brand, alice } = await setup({ velocity: { maxPerHour: 3 } }, { holdDays: 0 });
    // an endpoint for the approvals (this app's dispatcher is off: the outbox rows are checked)
    const hooks = await t.request('POST', '/v1/webhook-endpoints', {
      key: brand.key,
      body: { url: 'https://hooks.tandem.invalid/tandem', eventTypes: ['reward.approved'] },
    });
    const answers = [];
    for (let i = 0; i < 4; i += 1) answers.push(await buy(brand, { code: alice.code }));
    expect(answers.map(held)).toEqual([[], [], [], ['velocity']]);
    const flagged = answers[3];
    expect(flagged.referral).toEqual({
      id: flagged.referral.id,
      status: 'converted',
      review: { status: 'held', rules: ['velocity'] },
    });

    // the hold period is over (0 days), but the job never approves held rewards
    await t.app.get(RewardApprovalJob).approveDue();
    const queue = await t.request('GET', '/v1/reviews?status=held', { key: brand.key });
    expect(queue.body.data).toHaveLength(1);
    expect(queue.body.data[0]).toMatchObject({
      type: 'referral',
      id: flagged.referral.id,
      status: 'held',
      reason: 'fraud_review',
      advocateId: alice.id,
      eventId: flagged.eventId,
      reasons: [
        {
          rule: 'velocity',
          detail: '4 new referrals for the advocate in the last hour (limit 3)',
          eventId: flagged.eventId,
        },
      ],
      rewards: [
        expect.objectContaining({
          id: flagged.rewards[0].id,
          status: 'held',
          reason: 'fraud_review',
          amount: 1000,
        }),
        expect.objectContaining({ id: flagged.rewards[1].id, status: 'held' }),
      ],
      reviewedAt: null,
    });
    const rewardStatus = async (id: string) =>
      (await t.request('GET', `/v1/rewards/${id}`, { key: brand.key })).body.status;
    expect(await rewardStatus(flagged.rewards[0].id)).toBe('held');
    expect(await rewardStatus(answers[0].rewards[0].id)).toBe('approved');

    const approved = await t.request('POST', `/v1/reviews/${flagged.referral.id}/approve`, {
      key: brand.key,
      body: { note: 'Influencer live stream: checked' },
    });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({
      id: flagged.referral.id,
      type: 'referral',
      decision: 'approved',
      note: 'Influencer live stream: checked',
      rewards: [
        { id: flagged.rewards[0].id, status: 'approved' },
        { id: flagged.rewards[1].id, status: 'approved' },
      ],
    });
    expect(
      (await t.request('GET', '/v1/reviews?status=held', { key: brand.key })).body.data,
    ).toEqual([]);
    // reward.approved for the two released rewards, written with the decision (the job's
    // approvals of the three clean referrals' six rewards came before)
    const announced = await db.query(
      `SELECT payload->>'id' AS id FROM webhook_events WHERE brand_id = $1 AND type = 'reward.approved'`,
      [brand.id],
    );
    expect(announced).toHaveLength(8);
    expect(announced.map((r: any) => r.id)).toEqual(
      expect.arrayContaining(flagged.rewards.map((r: any) => r.id)),
    );
    // (nobody listens there: later apps of the test run must not keep trying)
    await t.request('DELETE', `/v1/webhook-endpoints/${hooks.body.id}`, { key: brand.key });
    // approving again answers the same; rejecting now is refused
    expect(
      (await t.request('POST', `/v1/reviews/${flagged.referral.id}/approve`, { key: brand.key }))
        .body.decision,
    ).toBe('approved');
    expect(
      (await t.request('POST', `/v1/reviews/${flagged.referral.id}/reject`, { key: brand.key }))
        .status,
    ).toBe(409);
  });

  it("a refund's answer shows the referral's review as it stands now", async () => {
    const { brand, alice } = await setup();
    const order = { id: uniqueId('ord'), amount: 10_000, currency: 'USD' };
    const bought = await buy(brand, {
      code: alice.code,
      customer: { id: uniqueId('c'), email: 'deal.hunter@mailinator.com' },
      order,
    });
    expect(held(bought)).toEqual(['disposableEmail']);
    const refund = (amount: number) =>
      sendEvent(t, brand, {
        id: uniqueId('refund'),
        type: 'refund',
        occurredAt: new Date().toISOString(),
        order: { ...order, amount },
      });
    const whileHeld = await refund(1_000);
    expect(whileHeld.body.referral).toEqual(bought.referral);
    const approved = await t.request('POST', `/v1/reviews/${bought.referral.id}/approve`, {
      key: brand.key,
    });
    expect(approved.status).toBe(200);
    const afterReview = await refund(1_000);
    expect(afterReview.status).toBe(201);
    expect(afterReview.body.referral).toEqual({ id: bought.referral.id, status: 'converted' });
  });

  it('multipleAdvocates: one person under several advocates is held; a last-touch move is not', async () => {
    const { brand, p, alice } = await setup();
    const bob = await createAdvocate(t, p);
    // the same mailbox (gmail ignores dots and +tags) under two customer ids
    const first = await buy(brand, {
      code: alice.code,
      customer: { id: uniqueId('c'), email: 'jane.doe@gmail.com' },
    });
    const second = await buy(brand, {
      code: bob.code,
      customer: { id: uniqueId('c'), email: 'janedoe+promo@gmail.com' },
    });
    expect([held(first), held(second)]).toEqual([[], ['multipleAdvocates']]);

    // one customer id in two programs, brought by two advocates
    const other = await createProgram(t, brand);
    await createTwoSidedRules(t, other);
    const cleo = await createAdvocate(t, other);
    const customer = { id: uniqueId('c') };
    expect(held(await buy(brand, { code: alice.code, customer }))).toEqual([]);
    expect(held(await buy(brand, { code: cleo.code, customer }))).toEqual(['multipleAdvocates']);

    // a friend who signed up through Alice and bought through Bob's code (last touch moves
    // the pending referral): one referral, one advocate — not held
    const mover = { id: uniqueId('c') };
    await sendEvent(t, brand, {
      id: uniqueId('s'),
      type: 'signup',
      occurredAt: new Date().toISOString(),
      customer: mover,
      code: alice.code,
    });
    const moved = await buy(brand, { code: bob.code, customer: mover });
    expect(moved.attribution.advocateId).toBe(bob.id);
    expect(held(moved)).toEqual([]);
  });

  it('botClick: bots and scripts converting are held; a person is not', async () => {
    const { brand, alice } = await setup({
      fastConversion: { enabled: false },
      sameVisitor: { enabled: false },
    });
    const bot = await buy(brand, {
      clickId: await clickAs(
        alice,
        'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
      ),
    });
    const script = await buy(brand, { clickId: await clickAs(alice, 'curl/8.5.0') });
    const person = await buy(brand, { clickId: await clickAs(alice, ANDROID_INSTAGRAM) });
    expect([held(bot), held(script), held(person)]).toEqual([['botClick'], ['botClick'], []]);
    const reasons = (
      await t.request('GET', '/v1/reviews?rule=botClick', { key: brand.key })
    ).body.data.map((r: any) => r.reasons[0].detail);
    expect(reasons).toEqual([
      'the converting click came from a user agent the rule lists (curl)',
      'the converting click was made by a bot',
    ]);
  });

  it('botClick: userAgentFamilies are the families clicks record, in any case; others answer 400 and change nothing', async () => {
    const { brand, p, alice } = await setup({
      fastConversion: { enabled: false },
      sameVisitor: { enabled: false },
    });
    const path = `/v1/programs/${p.programId}/fraud-rules`;
    const before = await t.request('GET', path, { key: brand.key });

    for (const [families, index, value] of [
      [['curl', 'Chromium'], 1, 'Chromium'],
      [['instagram', 'curl'], 0, 'instagram'],
      [['curl', 'python-requests'], 1, 'python-requests'],
    ] as const) {
      const bad = await t.request('PUT', path, {
        key: brand.key,
        body: { rules: { velocity: { maxPerHour: 7 }, botClick: { userAgentFamilies: families } } },
      });
      expect([value, bad.status, bad.body.error.code]).toEqual([value, 400, 'validation_failed']);
      expect(bad.body.error.details).toEqual([
        {
          field: `rules.botClick.userAgentFamilies[${index}]`,
          issue: expect.stringContaining('must be a user-agent family clicks record'),
        },
      ]);
      expect(bad.body.error.details[0].issue).toContain('Instagram in-app, Facebook in-app');
      expect(bad.body.error.details[0].issue).toContain('curl, bot, other');
    }
    // nothing was written, the velocity change sent with them included
    expect((await t.request('GET', path, { key: brand.key })).body).toEqual(before.body);

    const put = await t.request('PUT', path, {
      key: brand.key,
      body: {
        rules: {
          botClick: { userAgentFamilies: ['CURL', ' instagram IN-APP ', 'curl'] },
          fastConversion: { enabled: false },
          sameVisitor: { enabled: false },
        },
      },
    });
    expect(put.status).toBe(200);
    expect(put.body.rules.botClick).toEqual({
      enabled: true,
      userAgentFamilies: ['curl', 'Instagram in-app'],
    });
    // the family as stored is the one clicks record: an Instagram in-app visit is now held
    const instagram = await buy(brand, { clickId: await clickAs(alice, ANDROID_INSTAGRAM) });
    const safari = await buy(brand, { clickId: await clickAs(alice, IPHONE_SAFARI) });
    expect([held(instagram), held(safari)]).toEqual([['botClick'], []]);

    const doc = (await t.request('GET', '/docs-json')).body;
    const items = doc.components.schemas.BotClickRuleDto.properties.userAgentFamilies.items;
    expect(items.enum).toEqual(USER_AGENT_FAMILIES);
    // the README's rule table lists them all
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    const row = readme.split('\n').find((line) => line.startsWith('| `botClick` |'))!;
    expect(USER_AGENT_FAMILIES.filter((f) => !row.includes(`\`${f}\``))).toEqual([]);
  });

  it('fastConversion: a purchase seconds after its click is held; a minute later, or a signup, is not', async () => {
    const { brand, alice } = await setup();
    const now = Date.now();
    const fast = await buy(brand, { clickId: signClick(t, alice, new Date(now - 3_000)) });
    const normal = await buy(brand, { clickId: signClick(t, alice, new Date(now - 60_000)) });
    const signup = await sendEvent(t, brand, {
      id: uniqueId('s'),
      type: 'signup',
      occurredAt: new Date(now).toISOString(),
      customer: { id: uniqueId('c') },
      clickId: signClick(t, alice, new Date(now - 1_000)),
    });
    expect([held(fast), held(normal), held(signup.body)]).toEqual([['fastConversion'], [], []]);
    const [item] = (await t.request('GET', '/v1/reviews?rule=fastConversion', { key: brand.key }))
      .body.data;
    expect(item.reasons[0].detail).toBe('purchase 3 s after the click (minimum 10 s)');
  });
});

describe('reviews: approve or reject held referrals in one transaction', () => {
  let t: TestApp;
  let db: DataSource;
  beforeAll(async () => {
    t = await startApp({ REWARD_APPROVAL_INTERVAL_MS: '0', WEBHOOKS_DISPATCH_INTERVAL_MS: '0' });
    db = t.app.get(DataSource);
  });
  afterAll(() => t.close());

  async function setup(programOverrides: Record<string, unknown> = {}) {
    const brand = await t.createBrand();
    const p = await createProgram(t, brand, programOverrides);
    await createTwoSidedRules(t, p);
    const alice = await createAdvocate(t, p);
    return { brand, p, alice };
  }
  const throwaway = () => ({ id: uniqueId('c'), email: `${uniqueId('x')}@mailinator.com` });
  const buy = async (brand: Brand, over: Record<string, unknown>) =>
    (await sendEvent(t, brand, purchaseEvent(over))).body;

  it('a rejected review rejects the referral and its rewards, frees the budget, and nothing of it is ever approved', async () => {
    // budget for one advocate reward (friend coupons are percent-off: they spend nothing)
    const { brand, p, alice } = await setup({
      holdDays: 0,
      budget: { amount: 1000, currency: 'USD' },
    });
    const hooks = await t.request('POST', '/v1/webhook-endpoints', {
      key: brand.key,
      body: { url: 'https://hooks.tandem.invalid/tandem', eventTypes: ['referral.rejected'] },
    });
    const suspect = throwaway();
    const flagged = await buy(brand, { code: alice.code, customer: suspect });
    expect(flagged.rewards.map((r: any) => [r.recipient, r.status])).toEqual([
      ['advocate', 'held'],
      ['friend', 'held'],
    ]);
    // its later purchase is held too
    const later = await buy(brand, { code: alice.code, customer: { id: suspect.id } });
    expect(later.rewards.map((r: any) => r.status)).toEqual(['held']);
    // the held reward still takes the budget
    const honest = await buy(brand, { code: alice.code });
    expect(honest.skipped).toEqual([
      expect.objectContaining({ recipient: 'advocate', reason: 'budget_exhausted' }),
    ]);

    const rejected = await t.request('POST', `/v1/reviews/${flagged.referral.id}/reject`, {
      key: brand.key,
      body: { note: 'Throw-away mailbox, same card as the advocate' },
    });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({
      decision: 'rejected',
      note: 'Throw-away mailbox, same card as the advocate',
      rewards: [
        { id: flagged.rewards[0].id, status: 'rejected' },
        { id: flagged.rewards[1].id, status: 'rejected' },
        { id: later.rewards[0].id, status: 'rejected' },
      ],
    });
    expect(
      (await t.request('POST', `/v1/reviews/${flagged.referral.id}/reject`, { key: brand.key }))
        .body.decision,
    ).toBe('rejected');
    expect(
      (await t.request('POST', `/v1/reviews/${flagged.referral.id}/approve`, { key: brand.key }))
        .status,
    ).toBe(409);

    const announced = await db.query(
      `SELECT payload FROM webhook_events WHERE brand_id = $1 AND type = 'referral.rejected'`,
      [brand.id],
    );
    expect(announced.map((r: any) => r.payload)).toEqual([
      expect.objectContaining({
        id: flagged.referral.id,
        status: 'rejected',
        reason: 'review_rejected',
        review: expect.objectContaining({
          status: 'rejected',
          reasons: [expect.objectContaining({ rule: 'disposableEmail' })],
        }),
      }),
    ]);
    await t.request('DELETE', `/v1/webhook-endpoints/${hooks.body.id}`, { key: brand.key });
    // never approved by the job, never in a payout
    await t.app.get(RewardApprovalJob).approveDue();
    const rows = await db.query(
      `SELECT status, reason, payout_batch_id, approved_at FROM rewards WHERE referral_id = $1`,
      [flagged.referral.id],
    );
    expect(rows).toEqual(
      Array(3).fill({
        status: 'rejected',
        reason: 'review_rejected',
        payout_batch_id: null,
        approved_at: null,
      }),
    );
    // a payout batch taken now never contains them
    const batch = await t.request('POST', '/v1/payout-batches', {
      key: brand.key,
      body: { currency: 'USD', cutoff: new Date(Date.now() + 1000).toISOString() },
    });
    expect([201, 422]).toContain(batch.status);
    const batched = await db.query(
      `SELECT count(*)::int AS n FROM payout_batch_items i JOIN rewards w ON w.id = i.reward_id
        WHERE w.referral_id = $1`,
      [flagged.referral.id],
    );
    expect(batched[0].n).toBe(0);
    // the friend's later purchases earn nothing
    const after = await buy(brand, { code: alice.code, customer: { id: suspect.id } });
    expect(after).toMatchObject({ status: 'rejected', reason: 'review_rejected', rewards: [] });
    // the budget is free again
    const next = await buy(brand, { code: alice.code });
    expect(next.rewards.map((r: any) => r.recipient)).toEqual(['advocate', 'friend']);

    const listed = await t.request('GET', `/v1/reviews?status=rejected&programId=${p.programId}`, {
      key: brand.key,
    });
    expect(listed.body.data).toEqual([
      expect.objectContaining({
        id: flagged.referral.id,
        status: 'rejected',
        reason: 'review_rejected',
        note: 'Throw-away mailbox, same card as the advocate',
        reasons: [expect.objectContaining({ rule: 'disposableEmail' })],
      }),
    ]);
    expect(listed.body.data[0].reviewedAt).not.toBeNull();
  });

  it('leaves a reward in a payout batch to that batch: a later hold, a rejected review and the rewards API', async () => {
    const { brand, alice } = await setup({ holdDays: 0 });
    const friend = { id: uniqueId('c') };
    const first = await buy(brand, { code: alice.code, customer: friend });
    const inBatch = first.rewards.find((r: any) => r.recipient === 'advocate');
    await approve(t, brand, inBatch.id);
    const batch = await createdBatch(t, brand.key, { currency: 'USD', cutoff: soon() });
    expect(batch.totals).toMatchObject({ rewards: 1, amount: inBatch.amount });

    // The friend buys again through a click a script made: botClick holds the referral.
    const link = alice.links.find((l) => l.ctaKey === 'ig-story')!;
    const visit = await t.request('GET', `/r/${link.slug}`, {
      headers: { 'user-agent': 'curl/8.5.0' },
    });
    await t.app.get(ClickWriter).flushAll();
    const clickId = new URL(visit.headers.get('location')!).searchParams.get('tclid');
    const second = await buy(brand, { clickId, customer: friend });
    expect(second.referral.review.rules).toContain('botClick');
    const reward = async (id: string) =>
      (await t.request('GET', `/v1/rewards/${id}`, { key: brand.key })).body;
    expect(await reward(inBatch.id)).toMatchObject({ status: 'approved', payoutBatchId: batch.id });
    const heldReward = second.rewards.find((r: any) => r.recipient === 'advocate');
    expect(heldReward.status).toBe('held');

    // Approving the held reward on its own would skip the referral's review.
    const approved = await t.request('POST', `/v1/rewards/${heldReward.id}/approve`, {
      key: brand.key,
    });
    expect(approved.status).toBe(409);
    expect(approved.body.error.message).toContain(first.referral.id);
    expect((await reward(heldReward.id)).status).toBe('held');

    await new Promise((r) => setTimeout(r, 20));
    const beforeDecision = new Date().toISOString();
    const rejected = await t.request('POST', `/v1/reviews/${first.referral.id}/reject`, {
      key: brand.key,
      body: { note: 'scripted clicks' },
    });
    // still listed by when it was flagged, not when it was decided
    const listed = await t.request('GET', '/v1/reviews?status=rejected&type=referral', {
      key: brand.key,
    });
    const item = listed.body.data.find((r: any) => r.id === first.referral.id);
    expect(item.flaggedAt < beforeDecision).toBe(true);
    expect(item.reviewedAt >= beforeDecision).toBe(true);
    expect(rejected.status).toBe(200);
    expect(rejected.body.rewards).toContainEqual({ id: heldReward.id, status: 'rejected' });
    expect(await reward(inBatch.id)).toMatchObject({ status: 'approved', reason: null });

    const paid = await t.request('POST', `/v1/payout-batches/${batch.id}/mark-paid`, {
      key: brand.key,
      body: {},
    });
    expect(paid.status).toBe(200);
    expect(await reward(inBatch.id)).toMatchObject({ status: 'paid', payoutBatchId: batch.id });
    expect((await reward(heldReward.id)).status).toBe('rejected');
  });

  it('approving releases rewards to pending when their hold period is not over, and the referral is not held again', async () => {
    const { brand, alice } = await setup({ holdDays: 14 });
    const suspect = throwaway();
    const flagged = await buy(brand, { code: alice.code, customer: suspect });
    const approved = await t.request('POST', `/v1/reviews/${flagged.referral.id}/approve`, {
      key: brand.key,
      body: {},
    });
    expect(approved.body.rewards.map((r: any) => r.status)).toEqual(['pending', 'pending']);
    const reward = (
      await t.request('GET', `/v1/rewards/${flagged.rewards[0].id}`, { key: brand.key })
    ).body;
    expect(reward).toMatchObject({ status: 'pending', reason: null, approvedAt: null });
    // the same friend buys again: the reviewer vouched for this referral
    const again = await buy(brand, { code: alice.code, customer: { id: suspect.id } });
    expect(again.referral.review).toBeUndefined();
    expect(again.rewards.map((r: any) => r.status)).toEqual(['pending', 'pending']);
  });

  it('decides rewards held on their own, refuses what is not held, and 404s another brand', async () => {
    const { brand, p, alice } = await setup({ holdDays: 14 });
    const bob = await createAdvocate(t, p);
    await t.request('PATCH', `/v1/advocates/${bob.id}`, {
      key: brand.key,
      body: { status: 'paused' },
    });
    const paused = await buy(brand, { code: bob.code });
    const [queued] = (await t.request('GET', '/v1/reviews?type=reward', { key: brand.key })).body
      .data;
    expect(queued).toMatchObject({
      type: 'reward',
      status: 'held',
      reason: 'advocate_paused',
      reasons: [],
    });
    const released = await t.request('POST', `/v1/reviews/${paused.rewards[0].id}/approve`, {
      key: brand.key,
    });
    expect(released.body).toMatchObject({
      type: 'reward',
      decision: 'approved',
      rewards: [{ status: 'pending' }],
    });
    const rejected = await t.request('POST', `/v1/reviews/${paused.rewards[1].id}/reject`, {
      key: brand.key,
      body: { note: 'paused for a reason' },
    });
    expect(rejected.body.rewards).toEqual([{ id: paused.rewards[1].id, status: 'rejected' }]);
    // The same decision again answers the same (its note and time); the opposite one is a 409.
    const decide = (id: string, action: string, body?: object) =>
      t.request('POST', `/v1/reviews/${id}/${action}`, { key: brand.key, body });
    const approvedAgain = await decide(paused.rewards[0].id, 'approve');
    expect([approvedAgain.status, approvedAgain.body]).toEqual([200, released.body]);
    const rejectedAgain = await decide(paused.rewards[1].id, 'reject', { note: 'another note' });
    expect([rejectedAgain.status, rejectedAgain.body]).toEqual([200, rejected.body]);
    expect(rejected.body).toMatchObject({
      note: 'paused for a reason',
      reviewedAt: expect.any(String),
    });
    expect((await decide(paused.rewards[0].id, 'reject')).status).toBe(409);
    expect((await decide(paused.rewards[1].id, 'approve')).status).toBe(409);

    const flagged = await buy(brand, { code: alice.code, customer: throwaway() });
    const inReferral = await t.request('POST', `/v1/reviews/${flagged.rewards[0].id}/approve`, {
      key: brand.key,
    });
    expect(inReferral.status).toBe(409);
    expect(inReferral.body.error.message).toContain(flagged.referral.id);
    const clean = await buy(brand, { code: alice.code });
    for (const id of [clean.referral.id, clean.rewards[0].id]) {
      const res = await t.request('POST', `/v1/reviews/${id}/approve`, { key: brand.key });
      expect([id, res.status, res.body.error.code]).toEqual([id, 409, 'invalid_status_transition']);
    }
    const long = await t.request('POST', `/v1/reviews/${flagged.referral.id}/reject`, {
      key: brand.key,
      body: { note: 'x'.repeat(1001) },
    });
    expect(long.status).toBe(400);
    expect(long.body.error.details[0].field).toBe('note');

    const other = await t.createBrand();
    for (const id of [flagged.referral.id, flagged.rewards[0].id, 'ref_nope', 'nonsense']) {
      for (const action of ['approve', 'reject']) {
        const res = await t.request('POST', `/v1/reviews/${id}/${action}`, { key: other.key });
        expect([id, action, res.status]).toEqual([id, action, 404]);
      }
    }
    expect((await t.request('GET', '/v1/reviews', { key: other.key })).body.data).toEqual([]);
    // the other brand's attempts changed nothing
    const still = (
      await t.request('GET', `/v1/reviews?status=held&type=referral`, { key: brand.key })
    ).body.data;
    expect(still.map((r: any) => r.id)).toEqual([flagged.referral.id]);
  });

  it('rewards held with a referral that attribution rejects later stay reviewable on their own', async () => {
    const { brand, p } = await setup({ holdDays: 14 });
    await createRule(t, p, {
      trigger: { event: 'signup' },
      recipient: 'advocate',
      reward: { kind: 'cash', amount: 200 },
    });
    const alice = await createAdvocate(t, p, { email: 'alice.martin@gmail.com' });
    const customer = { id: uniqueId('c'), email: 'promo@mailinator.com' };
    const signup = (
      await sendEvent(t, brand, {
        id: uniqueId('s'),
        type: 'signup',
        occurredAt: new Date().toISOString(),
        customer,
        code: alice.code,
      })
    ).body;
    expect(signup.referral).toMatchObject({ status: 'pending', review: { status: 'held' } });
    expect(signup.rewards.map((r: any) => r.status)).toEqual(['held']);
    // the same customer turns out to be Alice herself: attribution rejects the referral
    const self = await buy(brand, {
      code: alice.code,
      customer: { id: customer.id, email: 'alicemartin@gmail.com' },
    });
    expect(self).toMatchObject({ status: 'rejected', reason: 'self_referral' });
    const [item] = (await t.request('GET', '/v1/reviews?type=reward', { key: brand.key })).body
      .data;
    expect(item).toMatchObject({
      type: 'reward',
      id: signup.rewards[0].id,
      reason: 'fraud_review',
    });
    const rejected = await t.request('POST', `/v1/reviews/${signup.rewards[0].id}/reject`, {
      key: brand.key,
    });
    expect(rejected.body.rewards).toEqual([{ id: signup.rewards[0].id, status: 'rejected' }]);
    expect(
      (await t.request('GET', '/v1/reviews?status=held', { key: brand.key })).body.data,
    ).toEqual([]);
  });

  it('lists with filters and a cursor', async () => {
    const { brand, p, alice } = await setup();
    const bob = await createAdvocate(t, p);
    const a1 = await buy(brand, { code: alice.code, customer: throwaway() });
    const a2 = await buy(brand, { code: alice.code, customer: throwaway() });
    const b1 = await buy(brand, { code: bob.code, customer: throwaway() });
    const self = await buy(brand, { code: bob.code, customer: { id: bob.externalId } });
    const all = (await t.request('GET', '/v1/reviews', { key: brand.key })).body.data.map(
      (r: any) => r.id,
    );
    expect(new Set(all)).toEqual(new Set([a1, a2, b1, self].map((x) => x.referral.id)));
    const ids = async (query: string) =>
      (await t.request('GET', `/v1/reviews?${query}`, { key: brand.key })).body.data
        .map((r: any) => r.id)
        .sort();
    expect(await ids(`advocateId=${alice.id}`)).toEqual([a1.referral.id, a2.referral.id].sort());
    expect(await ids('status=held')).toEqual([a1, a2, b1].map((x) => x.referral.id).sort());
    expect(await ids('status=rejected')).toEqual([self.referral.id]);
    expect(await ids('rule=velocity')).toEqual([]);
    expect(await ids('type=reward')).toEqual([]);
    expect(await ids(`programId=${p.programId}&rule=disposableEmail`)).toEqual(
      [a1, a2, b1].map((x) => x.referral.id).sort(),
    );
    expect(
      await ids(`from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`),
    ).toEqual([]);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await t.request(
        'GET',
        `/v1/reviews?limit=1${cursor ? `&cursor=${cursor}` : ''}`,
        { key: brand.key },
      );
      seen.push(...page.body.data.map((r: any) => r.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all);
    for (const bad of [
      'status=open',
      'rule=lottery',
      'type=both',
      'from=yesterday',
      'cursor=%%%',
    ]) {
      expect([
        bad,
        (await t.request('GET', `/v1/reviews?${bad}`, { key: brand.key })).status,
      ]).toEqual([bad, 400]);
    }
  });

  it('documents the routes in OpenAPI', async () => {
    const doc = (await t.request('GET', '/docs-json')).body;
    for (const path of [
      '/v1/programs/{id}/fraud-rules',
      '/v1/reviews',
      '/v1/reviews/{id}/approve',
      '/v1/reviews/{id}/reject',
    ]) {
      expect(doc.paths[path]).toBeDefined();
    }
    expect(doc.paths['/v1/programs/{id}/fraud-rules'].put).toBeDefined();
    expect(Object.keys(doc.components.schemas.FraudRulesAnswerDto.properties)).toEqual([
      'selfReferral',
      'sameVisitor',
      'disposableEmail',
      'velocity',
      'multipleAdvocates',
      'botClick',
      'fastConversion',
    ]);
  });
});
