import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { newId } from '@/common/ids';
import { deferStatements } from '@/database/pipelined-transaction';
import { attribute, AttributionDecision, KnownClick } from '@/modules/attribution/attribution';
import { AttributionRepository } from '@/modules/attribution/attribution.repository';
import { ConfigSnapshot } from '@/modules/attribution/config-snapshot';
import { ReferralBook, ReferralRecord } from '@/modules/attribution/referral-book';
import type { EventResultDto } from '@/modules/events/dto/event-result.dto';
import { eventUpdateRow, toAttributionDto, toEventRewardDto } from '@/modules/events/event-answer';
import type { PreparedEvent } from '@/modules/events/event-input';
import {
  EventIntakeRepository,
  GateRow,
  RecordedCustomer,
} from '@/modules/events/event-intake.repository';
import { emptyOutcome, EventOutcomeRepository } from '@/modules/events/event-outcome.repository';
import type { Recorded } from '@/modules/events/recorded';
import { ClickIdService } from '@/modules/tracking/click-id.service';
import type { VerifiedClickId } from '@/modules/tracking/click-id';
import { IssueRequest, RewardIssuer } from '@/modules/rewards/reward-issuer';
import {
  conversionWebhookEvents,
  referralAnswer,
  screenCandidatesOf,
} from '@/modules/events/event-hooks';
import { FraudScreen, holdOnInsert, Screening } from '@/modules/fraud/fraud-screen';
import { WebhookOutbox } from '@/modules/webhooks/webhook-outbox';

interface CustomerState extends RecordedCustomer {
  purchasesSoFar: number;
  signupsSoFar: number;
  eventsSoFar: number;
  clicks: KnownClick[];
}

interface Decided {
  row: GateRow;
  customer: CustomerState;
  decision: AttributionDecision;
  referral: ReferralRecord | null;
  /** The referral as this event left it (a later event of the batch may change it). */
  referralView: { id: string; status: ReferralRecord['status'] } | null;
  converts: boolean;
  isFirstPurchase: boolean;
  isFirstSignup: boolean;
  isNewCustomer: boolean;
  /** The event's own click id, verified. */
  click: VerifiedClickId | null;
}

/**
 * Records signup, purchase and custom events: the idempotency gate and customers, attribution,
 * referrals and rewards, all in the caller's transaction, with set-based SQL so a batch of 500
 * costs a handful of round trips.
 */
@Injectable()
export class ConversionRecorder {
  constructor(
    private readonly intake: EventIntakeRepository,
    private readonly outcomes: EventOutcomeRepository,
    private readonly attribution: AttributionRepository,
    private readonly issuer: RewardIssuer,
    private readonly clickIds: ClickIdService,
    private readonly fraud: FraudScreen,
    private readonly webhooks: WebhookOutbox,
  ) {}

  async record(
    em: EntityManager,
    brandId: string,
    events: PreparedEvent[],
    snapshot: ConfigSnapshot,
  ): Promise<Map<number, Recorded>> {
    const rows: GateRow[] = events.map((event) => ({
      id: newId('event'),
      event,
      customerId: newId('customer'),
    }));
    // Each click id is verified once (an HMAC); forged ones stay null.
    const verified = new Map<string, VerifiedClickId | null>();
    for (const r of rows) {
      if (r.event.clickId) verified.set(r.id, this.clickIds.verifyClickId(r.event.clickId));
    }
    // The config of the links and codes the events name is asked for with the gate: one round
    // trip on a pipelined transaction, and PostgreSQL still runs it after the gate. (Both send
    // their statement before returning.) What the customers' history adds comes below.
    const [gated, configured] = await Promise.allSettled([
      this.intake.insertEventsAndCustomers(em, brandId, rows),
      this.attribution.loadConfig(
        brandId,
        snapshot,
        {
          linkIds: [...verified.values()].flatMap((v) => (v ? [v.linkId] : [])),
          codes: rows.flatMap((r) => (r.event.code ? [r.event.code] : [])),
          programIds: [],
          advocateIds: [],
        },
        em,
      ),
    ]);
    if (gated.status === 'rejected') throw gated.reason;
    if (configured.status === 'rejected') throw configured.reason;
    const { insertedIds, customers } = gated.value;
    const out = new Map<number, Recorded>();
    const replays = rows.filter((r) => !insertedIds.has(r.id));
    if (replays.length > 0) {
      const stored = await this.intake.findStoredAnswers(
        em,
        brandId,
        replays.map((r) => r.event.eventId),
      );
      // Not in under its own id: a purchase whose order another purchase event holds.
      const orderless = replays.filter((r) => !stored.has(r.event.eventId) && r.event.order);
      const holders = orderless.length
        ? await this.intake.findOrderHolders(
            em,
            brandId,
            orderless.map((r) => r.event.order!.id),
          )
        : new Map<string, string>();
      for (const r of replays) {
        const heldBy = r.event.order ? holders.get(r.event.order.id) : undefined;
        out.set(
          r.event.index,
          heldBy && !stored.has(r.event.eventId)
            ? { kind: 'order_taken', orderId: r.event.order!.id, heldBy }
            : replayOf(r.event, stored.get(r.event.eventId)),
        );
      }
    }
    const fresh = rows
      .filter((r) => insertedIds.has(r.id))
      .sort((a, b) => a.event.index - b.event.index);
    if (fresh.length === 0) return out;

    const now = new Date();
    const byExternal = this.customerStates(fresh, customers);
    const known = [...byExternal.values()].filter((c) => !c.inserted);
    const history = known.length
      ? await this.attribution.findCustomerHistory(
          em,
          brandId,
          known.map((c) => c.id),
          known.map((c) => c.externalId),
        )
      : { referrals: [], clicks: [] };
    const book = new ReferralBook(history.referrals);
    for (const c of history.clicks) {
      const verified = this.clickIds.verifyClickId(c.clickId);
      if (verified) byExternal.get(c.customer)?.clicks.push({ clickId: c.clickId, ...verified });
    }
    // The customers' earlier clicks, their referrals' programs and advocates, if any is missing
    // (the snapshot loads only what it lacks).
    await this.attribution.loadConfig(
      brandId,
      snapshot,
      {
        linkIds: [
          ...[...verified.values()].flatMap((v) => (v ? [v.linkId] : [])),
          ...[...byExternal.values()].flatMap((c) => c.clicks.map((k) => k.linkId)),
        ],
        codes: fresh.flatMap((r) => (r.event.code ? [r.event.code] : [])),
        programIds: book.programIds(),
        advocateIds: book.advocateIds(),
      },
      em,
    );

    const decided: Decided[] = [];
    for (const row of fresh) {
      const customer = byExternal.get(row.event.customer!.id)!;
      decided.push(this.decide(row, verified.get(row.id) ?? null, customer, book, snapshot, now));
    }
    // Fraud rules (issue 8): a referral a rule holds gets its rewards issued held.
    const screening = await this.fraud.screen(em, brandId, screenCandidatesOf(decided, snapshot));
    const requests = decided.flatMap((d) => issueRequestOf(d, screening) ?? []);
    const issued = await this.issuer.issue(em, brandId, snapshot, requests);

    const outcome = emptyOutcome();
    const referrals = book.rows(brandId);
    // Holds of referrals created now go in with their rows (no second version of each).
    const heldOnInsert = holdOnInsert(referrals.inserts, screening);
    outcome.referralInserts = referrals.inserts;
    outcome.referralUpdates = referrals.updates;
    outcome.rewardInserts = issued.rewardRows;
    outcome.couponAssignments = issued.couponAssignments;
    outcome.tallySets = issued.tallySets;
    for (const d of decided) {
      const result = issued.results.get(d.row.id);
      const a = d.decision.status === 'unattributed' ? null : d.decision.attribution;
      const answer: EventResultDto = {
        id: d.row.event.eventId,
        eventId: d.row.id,
        type: d.row.event.type,
        status: d.decision.status,
        attribution: a ? toAttributionDto(a) : null,
        reason: d.decision.reason,
        referral: referralAnswer(d.referralView, screening),
        rewards: (result?.rewards ?? []).map(toEventRewardDto),
        skipped: result?.skipped ?? [],
        reversed: [],
      };
      outcome.eventUpdates.push(eventUpdateRow(d.row.id, answer, a));
      // Queued for the KPI rollups (analytics); unattributed events count nothing there.
      if (d.decision.status === 'attributed')
        outcome.kpiQueue.push({ kind: 'conversion', event_id: d.row.id });
      out.set(d.row.event.index, { kind: 'created', result: answer });
    }
    // The last writes need no answer: they go out together, and with the COMMIT on a pipelined
    // transaction (one round trip). Each sends its statement before returning (preparedQuery),
    // so they run in this order: fraud holds and webhooks after the rows they read are written
    // (issue 8). The events' KPI counts are queued by the outcome statement: the fold job adds
    // them to the rollups within KPI_FOLD_INTERVAL_MS, so no event transaction locks the
    // program's counter rows. Sent as one socket write with the COMMIT.
    deferStatements(em, () => [
      this.outcomes.write(em, brandId, outcome),
      this.fraud.applyHolds(em, brandId, screening, heldOnInsert),
      this.webhooks.enqueueSubjects(
        em,
        brandId,
        conversionWebhookEvents(decided, issued).filter(
          (e) => snapshot.webhookTypes?.has(e.type) ?? true,
        ),
      ),
    ]);
    return out;
  }

  private decide(
    row: GateRow,
    verified: VerifiedClickId | null,
    customer: CustomerState,
    book: ReferralBook,
    snapshot: ConfigSnapshot,
    now: Date,
  ): Decided {
    const e = row.event;
    const firstSeen = customer.inserted && customer.eventsSoFar === 0;
    const isFirstPurchase = e.type === 'purchase' && customer.purchasesSoFar === 0;
    const isFirstSignup = e.type === 'signup' && customer.signupsSoFar === 0;
    const decision = attribute({
      occurredAt: e.occurredAt,
      customerExternalId: customer.externalId,
      customerEmailNormalized: e.customer!.emailNormalized ?? customer.emailNormalized,
      click: e.clickId ? { id: e.clickId, verified } : null,
      code: e.code,
      ctaKey: e.ctaKey,
      priorClicks: customer.clicks,
      referrals: book.referralsOf(customer.id),
      links: snapshot.links,
      codes: snapshot.codes,
      programs: snapshot.programs,
      advocates: snapshot.advocates,
    });
    let referral: ReferralRecord | null = null;
    let converts = false;
    if (decision.status !== 'unattributed' && decision.referral) {
      referral = book.apply(customer.id, decision.referral, decision.attribution, {
        eventRowId: row.id,
        newCustomer: e.customer!.isNew ?? firstSeen,
        now,
      });
      converts =
        decision.status === 'attributed' &&
        e.type === 'purchase' &&
        book.convert(referral, row.id, now);
    }
    if (e.type === 'purchase') customer.purchasesSoFar += 1;
    if (e.type === 'signup') customer.signupsSoFar += 1;
    customer.eventsSoFar += 1;
    if (verified) customer.clicks.push({ clickId: e.clickId!, ...verified });
    return {
      row,
      customer,
      decision,
      referral,
      referralView: referral ? { id: referral.id, status: referral.status } : null,
      converts,
      isFirstPurchase,
      isFirstSignup,
      isNewCustomer: e.customer!.isNew ?? referral?.newCustomer ?? firstSeen,
      click: verified,
    };
  }

  /** Per customer: its row, and its purchases before this batch (the upsert returned the after). */
  private customerStates(
    fresh: GateRow[],
    customers: RecordedCustomer[],
  ): Map<string, CustomerState> {
    const batchPurchases = new Map<string, number>();
    const batchSignups = new Map<string, number>();
    for (const r of fresh) {
      const counts =
        r.event.type === 'purchase'
          ? batchPurchases
          : r.event.type === 'signup'
            ? batchSignups
            : null;
      if (counts) {
        const id = r.event.customer!.id;
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
    }
    return new Map(
      customers.map((c) => [
        c.externalId,
        {
          ...c,
          purchasesSoFar: c.purchases - (batchPurchases.get(c.externalId) ?? 0),
          signupsSoFar: c.signups - (batchSignups.get(c.externalId) ?? 0),
          eventsSoFar: 0,
          clicks: [],
        },
      ]),
    );
  }
}

function issueRequestOf(d: Decided, screening: Screening): IssueRequest | null {
  if (d.decision.status !== 'attributed') return null;
  const e = d.row.event;
  const a = d.decision.attribution;
  return {
    eventRowId: d.row.id,
    programId: a.programId,
    advocateId: a.advocateId,
    customerId: d.customer.id,
    referralId: d.referral?.id ?? null,
    occurredAt: e.occurredAt,
    holdReason: d.decision.holdReason ?? screening.holdReasonOf(d.referral?.id),
    event: {
      type: e.type as 'signup' | 'purchase' | 'custom',
      name: e.name,
      order: e.order ? { amount: e.order.amount, currency: e.order.currency } : null,
      ctaKey: a.ctaKey,
      channel: a.channel,
      isNewCustomer: d.isNewCustomer,
      isFirstPurchase: d.isFirstPurchase,
      isFirstSignup: d.isFirstSignup,
      convertsReferral: d.converts,
    },
  };
}

function replayOf(
  event: PreparedEvent,
  stored: { requestHash: string; answer: Record<string, unknown> | null } | undefined,
): Recorded {
  if (!stored || !stored.answer) return { kind: 'failed', error: new Error('event vanished') };
  if (stored.requestHash !== event.requestHash) return { kind: 'conflict' };
  return { kind: 'replayed', result: stored.answer as unknown as EventResultDto };
}
