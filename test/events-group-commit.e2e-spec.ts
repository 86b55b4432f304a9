import { DataSource } from 'typeorm';
import { EventInputDto } from '@/modules/events/dto/event-input.dto';
import { EventService } from '@/modules/events/event.service';
import { rowCounter, startApp, TestApp } from './helpers/app';
import {
  createAdvocate,
  createProgram,
  createTwoSidedRules,
  purchaseEvent,
  sendEvent,
  uniqueId,
} from './helpers/event-factories';

/**
 * Single events that arrive together are recorded in one transaction (group commit). Whatever
 * group an event lands in, its answer must be the one it would get alone.
 */
describe('single events recorded together (group commit)', () => {
  let t: TestApp;
  let db: DataSource;
  let count: ReturnType<typeof rowCounter>;
  beforeAll(async () => {
    t = await startApp();
    db = t.app.get(DataSource);
    count = rowCounter(t);
  });
  afterAll(() => t.close());

  it('answers concurrent events of two brands each as if it came alone', async () => {
    const a = await createProgram(t, await t.createBrand());
    await createTwoSidedRules(t, a);
    const alice = await createAdvocate(t, a);
    const b = await createProgram(t, await t.createBrand());
    await createTwoSidedRules(t, b);
    const bob = await createAdvocate(t, b);

    const plain = Array.from({ length: 30 }, () => purchaseEvent({ code: alice.code }));
    const duplicate = purchaseEvent({ code: alice.code });
    const conflicting = purchaseEvent({ code: alice.code });
    const otherBody = {
      ...conflicting,
      order: { id: uniqueId('ord'), amount: 1, currency: 'USD' },
    };
    const orderHolder = purchaseEvent({ code: alice.code });
    const sameOrder = purchaseEvent({ code: alice.code, order: orderHolder.order });
    const ofB = Array.from({ length: 10 }, () => purchaseEvent({ code: bob.code }));
    // Alice's code means nothing to brand B, even when both brands' events arrive together.
    const foreignCode = purchaseEvent({ code: alice.code });

    const sent = await Promise.all([
      ...plain.map((e) => sendEvent(t, a.brand, e)),
      sendEvent(t, a.brand, duplicate),
      sendEvent(t, a.brand, duplicate),
      sendEvent(t, a.brand, conflicting),
      sendEvent(t, a.brand, otherBody),
      sendEvent(t, a.brand, orderHolder),
      sendEvent(t, a.brand, sameOrder),
      ...ofB.map((e) => sendEvent(t, b.brand, e)),
      sendEvent(t, b.brand, foreignCode),
    ]);
    const [plainAnswers, rest] = [sent.slice(0, 30), sent.slice(30)];
    const [dup1, dup2, conf1, conf2, holder, taken, ...fromB] = rest;

    plainAnswers.forEach((res, i) => {
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        id: plain[i]!.id,
        status: 'attributed',
        attribution: { advocateId: alice.id, method: 'code' },
      });
      expect(res.body.rewards).toHaveLength(2);
    });
    expect([dup1!.status, dup2!.status].sort()).toEqual([200, 201]);
    expect(dup1!.body).toEqual(dup2!.body);
    expect([conf1!.status, conf2!.status].sort()).toEqual([201, 409]);
    expect([conf1, conf2].find((r) => r!.status === 409)!.body.error.code).toBe(
      'idempotency_conflict',
    );
    expect([holder!.status, taken!.status].sort()).toEqual([201, 409]);
    expect([holder, taken].find((r) => r!.status === 409)!.body.error.details).toEqual([
      expect.objectContaining({ field: 'order.id' }),
    ]);
    fromB.slice(0, 10).forEach((res, i) => {
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ id: ofB[i]!.id, attribution: { advocateId: bob.id } });
    });
    expect(fromB[10]).toMatchObject({ status: 201, body: { status: 'unattributed' } });

    // 30 + duplicate + one of the conflicting pair + one purchase of the shared order.
    expect(await count('events WHERE brand_id = $1', [a.brand.id])).toBe(33);
    expect(await count('rewards WHERE brand_id = $1', [a.brand.id])).toBe(66);
    expect(await count('events WHERE brand_id = $1', [b.brand.id])).toBe(11);
    expect(await count('rewards WHERE brand_id = $1', [b.brand.id])).toBe(20);
  });

  it('holds exactly the referrals past the velocity limit when they arrive together', async () => {
    const p = await createProgram(t, await t.createBrand(), { holdDays: 0 });
    await createTwoSidedRules(t, p);
    const alice = await createAdvocate(t, p);
    const put = await t.request('PUT', `/v1/programs/${p.programId}/fraud-rules`, {
      key: p.brand.key,
      body: { rules: { velocity: { maxPerHour: 3 } } },
    });
    expect(put.status).toBe(200);
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => sendEvent(t, p.brand, purchaseEvent({ code: alice.code }))),
    );
    const held = answers.map((a) => (a.body.referral.review?.rules ?? []) as string[]);
    // in arrival order within a group, so which three is not fixed here: how many is
    expect(held.filter((rules) => rules.length === 0)).toHaveLength(3);
    expect(held.filter((rules) => rules.join() === 'velocity')).toHaveLength(3);
  });

  it('records the rest of a group when the database refuses one of its events', async () => {
    const p = await createProgram(t, await t.createBrand());
    await createTwoSidedRules(t, p);
    const alice = await createAdvocate(t, p);
    // A real refusal from PostgreSQL, for one event id only.
    await db.query(`CREATE FUNCTION test_refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.event_id LIKE 'poison-%' THEN RAISE EXCEPTION 'refused by test trigger'; END IF;
        RETURN NEW;
      END $$`);
    await db.query(`CREATE TRIGGER test_refuse_poison BEFORE INSERT ON events
      FOR EACH ROW EXECUTE FUNCTION test_refuse_poison()`);
    try {
      const events = t.app.get(EventService);
      const bodies = [
        purchaseEvent({ code: alice.code }),
        purchaseEvent({ code: alice.code, id: uniqueId('poison') }),
        purchaseEvent({ code: alice.code }),
      ];
      // Submitted in one turn of the event loop: one group.
      const settled = await Promise.allSettled(
        bodies.map((body) => events.track(p.brand.id, body as unknown as EventInputDto, body)),
      );
      expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect((settled[1] as PromiseRejectedResult).reason.message).toMatch(/refused by test/);
      for (const s of [settled[0], settled[2]]) {
        expect((s as PromiseFulfilledResult<{ replayed: boolean }>).value).toMatchObject({
          replayed: false,
          result: { status: 'attributed', rewards: [{}, {}] },
        });
      }
      expect(await count('events WHERE brand_id = $1', [p.brand.id])).toBe(2);
      expect(await count('rewards WHERE brand_id = $1', [p.brand.id])).toBe(4);
    } finally {
      await db.query('DROP TRIGGER test_refuse_poison ON events');
      await db.query('DROP FUNCTION test_refuse_poison()');
    }
  });
});
