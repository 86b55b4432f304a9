/**
 * Every webhook event type, the contract brands subscribe to. payout_batch.* are emitted by the
 * payouts module through WebhookOutbox.enqueue; the others by events, rewards and reviews.
 */
export const WEBHOOK_EVENT_TYPES = [
  'referral.created',
  'referral.converted',
  'referral.rejected',
  'reward.created',
  'reward.approved',
  'reward.reversed',
  'reward.clawback',
  'payout_batch.created',
  'payout_batch.paid',
  'payout_batch.canceled',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export function isWebhookEventType(value: unknown): value is WebhookEventType {
  return (WEBHOOK_EVENT_TYPES as readonly unknown[]).includes(value);
}
