import type { AttributionDecision } from '@/modules/attribution/attribution';
import type { ConfigSnapshot } from '@/modules/attribution/config-snapshot';
import type { ReferralRecord } from '@/modules/attribution/referral-book';
import type { EventReferralDto } from '@/modules/events/dto/event-result.dto';
import type { PreparedEvent } from '@/modules/events/event-input';
import type { ScreenCandidate, Screening } from '@/modules/fraud/fraud-screen';
import type { IssueOutput } from '@/modules/rewards/reward-issuer';
import type { VerifiedClickId } from '@/modules/tracking/click-id';
import type { SubjectEvent } from '@/modules/webhooks/webhook-outbox';

/**
 * What the conversion recorder hands to fraud screening and the webhook outbox (issue 8), so
 * the recorder itself only calls them. Structural: the recorder's decided events fit it.
 */
export interface ConversionItem {
  row: { id: string; event: PreparedEvent };
  customer: { id: string; emailNormalized: string | null };
  decision: AttributionDecision;
  referral: ReferralRecord | null;
  converts: boolean;
  click: VerifiedClickId | null;
}

/** The attributed events on a referral, as fraud screening sees them. */
export function screenCandidatesOf(
  items: ConversionItem[],
  snapshot: ConfigSnapshot,
): ScreenCandidate[] {
  const out: ScreenCandidate[] = [];
  for (const d of items) {
    if (d.decision.status !== 'attributed' || !d.referral) continue;
    const a = d.decision.attribution;
    const program = snapshot.programs.get(a.programId);
    const advocate = snapshot.advocates.get(a.advocateId);
    if (!program || !advocate) continue;
    const e = d.row.event;
    out.push({
      eventRowId: d.row.id,
      eventType: e.type,
      occurredAt: e.occurredAt,
      rules: program.fraudRules,
      programId: a.programId,
      advocateId: a.advocateId,
      advocateExternalId: advocate.externalId,
      customerId: d.customer.id,
      emailNormalized: e.customer?.emailNormalized ?? d.customer.emailNormalized,
      referral: d.referral,
      newReferral: d.decision.referral?.kind === 'new',
      converts: d.converts,
      eventClick: d.click && e.clickId ? { id: e.clickId, clickedAt: d.click.clickedAt } : null,
    });
  }
  return out;
}

/** The event answer's referral, with the fraud hold when there is one. */
export function referralAnswer(
  view: EventReferralDto | null,
  screening: Screening,
): EventReferralDto | null {
  if (!view) return null;
  const rules = screening.rulesOf(view.id);
  return rules ? { ...view, review: { status: 'held', rules } } : view;
}

/**
 * Webhook events of a batch, in event order: referral.created (or referral.rejected for one
 * born rejected), referral.rejected when an event rejects an existing one, referral.converted,
 * and reward.created for every reward given.
 */
export function conversionWebhookEvents(
  items: ConversionItem[],
  issued: IssueOutput,
): SubjectEvent[] {
  const out: SubjectEvent[] = [];
  for (const d of items) {
    if (d.decision.status !== 'unattributed' && d.referral && d.decision.referral) {
      const change = d.decision.referral;
      const referral = (type: SubjectEvent['type']) =>
        out.push({ type, subject: 'referral', id: d.referral!.id });
      if (change.kind === 'new')
        referral(change.status === 'rejected' ? 'referral.rejected' : 'referral.created');
      else if (change.change === 'reject') referral('referral.rejected');
      if (d.converts) referral('referral.converted');
    }
    for (const reward of issued.results.get(d.row.id)?.rewards ?? []) {
      out.push({ type: 'reward.created', subject: 'reward', id: reward.id });
    }
  }
  return out;
}

/**
 * Webhook events of a refund batch: reward.reversed for each reward a refund reduced before
 * payment (partly or fully: see reversedAmount and status), reward.clawback for each clawback.
 */
export function refundWebhookEvents(
  changed: { id: string; status: string }[],
  clawbackIds: string[],
): SubjectEvent[] {
  return [
    ...changed
      .filter((w) => w.status !== 'paid')
      .map((w): SubjectEvent => ({ type: 'reward.reversed', subject: 'reward', id: w.id })),
    ...clawbackIds.map((id): SubjectEvent => ({ type: 'reward.clawback', subject: 'reward', id })),
  ];
}
