import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { ReferralStatus, ReviewStatus } from '@/modules/attribution/referral.entity';
import { emailDomain } from '@/modules/fraud/email-domains';
import { evaluateFraudRules, FraudFacts } from '@/modules/fraud/fraud-evaluation';
import {
  Evidence,
  EvidenceRequest,
  FraudEvidenceRepository,
} from '@/modules/fraud/fraud-evidence.repository';
import { FRAUD_HOLD_REASON, FraudHoldRepository } from '@/modules/fraud/fraud-hold.repository';
import type { FraudReason, FraudRules } from '@/modules/fraud/fraud-rules';

/** One attributed event of a batch, with the referral it is on (as the batch left it). */
export interface ScreenCandidate {
  eventRowId: string;
  eventType: string;
  occurredAt: Date;
  rules: FraudRules;
  programId: string;
  advocateId: string;
  advocateExternalId: string;
  /** Our customer id (`cus_…`). */
  customerId: string;
  emailNormalized: string | null;
  referral: {
    id: string;
    status: ReferralStatus;
    reviewStatus: ReviewStatus | null;
    clickId: string | null;
  };
  /** The event created the referral. */
  newReferral: boolean;
  /** The event converted the referral. */
  converts: boolean;
  /** The event's own (verified) click id. */
  eventClick: { id: string; clickedAt: Date } | null;
}

/** The outcome of screening a batch: the referrals put on hold now, with their new reasons. */
export class Screening {
  readonly holds = new Map<string, FraudReason[]>();
  private readonly alreadyHeld = new Set<string>();

  constructor(candidates: ScreenCandidate[] = []) {
    for (const c of candidates) {
      if (c.referral.reviewStatus === 'held') this.alreadyHeld.add(c.referral.id);
    }
  }

  /** The hold reason for rewards issued on this referral now, or null. */
  holdReasonOf(referralId: string | null | undefined): string | null {
    if (!referralId) return null;
    return this.holds.has(referralId) || this.alreadyHeld.has(referralId)
      ? FRAUD_HOLD_REASON
      : null;
  }

  /** The rules a referral is held for, as the event answer shows them (new ones only). */
  rulesOf(referralId: string): string[] | null {
    if (!this.holds.has(referralId) && !this.alreadyHeld.has(referralId)) return null;
    return [...new Set((this.holds.get(referralId) ?? []).map((r) => r.rule))];
  }
}

/**
 * Fraud screening inside the event transaction: decides which attributed events trigger a
 * hold rule (one evidence statement per batch), then — after the batch's rows are written —
 * puts those referrals and their live rewards on hold.
 *
 * An event is screened when it creates or converts its referral, or carries a click id; a
 * referral a reviewer approved (or rejected) is not screened again. Within a batch, events are
 * screened in order, so earlier events of the batch count for velocity, identity and devices.
 */
@Injectable()
export class FraudScreen {
  constructor(
    private readonly evidence: FraudEvidenceRepository,
    private readonly holds: FraudHoldRepository,
  ) {}

  async screen(
    em: EntityManager,
    brandId: string,
    candidates: ScreenCandidate[],
  ): Promise<Screening> {
    const screening = new Screening(candidates);
    const screened = candidates.filter(
      (c) =>
        c.referral.status !== 'rejected' &&
        (c.referral.reviewStatus === null || c.referral.reviewStatus === 'held') &&
        (c.newReferral || c.converts || c.eventClick !== null),
    );
    if (screened.length === 0) return screening;
    const requests = screened.map(requestOf);
    const needsQuery = requests.some((r) => r.velocity || r.identity || r.clickId !== null);
    const found: Evidence[] = needsQuery
      ? await this.evidence.load(em, brandId, requests)
      : requests.map(() => ({
          click: null,
          stored: null,
          identityAdvocates: null,
          sharedVisitor: null,
        }));

    // What earlier events of this batch add (their rows are not written yet).
    const newPerAdvocate = new Map<string, number>();
    const identityAdvocates = new Map<string, Map<string, string>>(); // identity → referral → advocate
    const devices = new Map<string, Set<string>>(); // advocate|visitor hash → customers
    for (const [i, c] of screened.entries()) {
      const e = found[i]!;
      const pair = `${c.programId}|${c.advocateId}`;
      if (c.newReferral) newPerAdvocate.set(pair, (newPerAdvocate.get(pair) ?? 0) + 1);
      const batchNew = newPerAdvocate.get(pair) ?? 0;

      // The friend's other referrals (not this one: a last-touch move is not a second advocate).
      const identityKeys = [
        `c:${c.customerId}`,
        ...(c.emailNormalized ? [`e:${c.emailNormalized}`] : []),
      ];
      const advocates = new Set(e.identityAdvocates ?? []);
      for (const key of identityKeys) {
        for (const [referralId, advocateId] of identityAdvocates.get(key) ?? []) {
          if (referralId !== c.referral.id) advocates.add(advocateId);
        }
      }
      advocates.add(c.advocateId);
      for (const key of identityKeys) {
        const byReferral = identityAdvocates.get(key) ?? new Map<string, string>();
        byReferral.set(c.referral.id, c.advocateId);
        identityAdvocates.set(key, byReferral);
      }

      let sharedVisitor = e.sharedVisitor;
      if (e.click) {
        const deviceKey = `${c.advocateId}|${e.click.visitorHash}`;
        const customers = devices.get(deviceKey) ?? new Set<string>();
        if (!sharedVisitor && [...customers].some((other) => other !== c.customerId))
          sharedVisitor = 'friend';
        customers.add(c.customerId);
        devices.set(deviceKey, customers);
      }

      const facts: FraudFacts = {
        eventType: c.eventType,
        occurredAt: c.occurredAt,
        newReferral: c.newReferral,
        emailDomain: emailDomain(c.emailNormalized),
        eventClickedAt: c.eventClick?.clickedAt ?? null,
        click: e.click,
        velocity: e.stored
          ? { lastHour: e.stored.lastHour + batchNew, lastDay: e.stored.lastDay + batchNew }
          : null,
        identityAdvocates: requests[i]!.identity ? advocates.size : null,
        sharedVisitor,
      };
      const triggered = evaluateFraudRules(c.rules, facts);
      if (triggered.length === 0) continue;
      const reasons = screening.holds.get(c.referral.id) ?? [];
      const at = new Date().toISOString();
      for (const t of triggered) {
        if (!reasons.some((r) => r.rule === t.rule))
          reasons.push({ ...t, eventId: c.eventRowId, at });
      }
      screening.holds.set(c.referral.id, reasons);
    }
    return screening;
  }

  /**
   * Writes the holds decided by screen(); call after the batch's referrals and rewards are
   * written. `written`: referrals whose hold was written with their row (see holdOnInsert).
   */
  applyHolds(
    em: EntityManager,
    brandId: string,
    screening: Screening,
    written: ReadonlySet<string> = new Set(),
  ): Promise<void> {
    return this.holds.holdReferrals(
      em,
      brandId,
      [...screening.holds]
        .filter(([referralId]) => !written.has(referralId))
        .map(([referralId, reasons]) => ({ referralId, reasons })),
    );
  }
}

/**
 * Puts the hold decided by screen() on referral rows this batch inserts (snake_case rows, as
 * json_populate_recordset reads them), as the hold statement would leave them: review status
 * `held`, the reasons in order, held_at the transaction's time (set by the insert). Their
 * rewards were issued held already, so the hold statement has nothing left to do for them; it
 * is skipped, which spares a second version of every such row. Returns the referral ids done.
 */
export function holdOnInsert(
  inserts: Record<string, unknown>[],
  screening: Screening,
): Set<string> {
  const done = new Set<string>();
  for (const row of inserts) {
    const reasons = screening.holds.get(row.id as string);
    // The hold statement leaves rejected referrals alone.
    if (!reasons || row.status === 'rejected') continue;
    row.review_status = 'held';
    row.review_reasons = reasons;
    done.add(row.id as string);
  }
  return done;
}

function requestOf(c: ScreenCandidate): EvidenceRequest {
  const device = c.rules.sameVisitor.enabled;
  const clickId =
    device || c.rules.botClick.enabled ? (c.eventClick?.id ?? c.referral.clickId) : null;
  return {
    programId: c.programId,
    advocateId: c.advocateId,
    advocateExternalId: c.advocateExternalId,
    customerId: c.customerId,
    referralId: c.referral.id,
    emailNormalized: c.emailNormalized,
    clickId,
    velocity: c.rules.velocity.enabled && c.newReferral,
    identity: c.rules.multipleAdvocates.enabled,
    device,
  };
}
