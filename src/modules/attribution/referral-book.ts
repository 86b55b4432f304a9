import { newId } from '@/common/ids';
import type { Attribution, ReferralChange, ReferralState } from '@/modules/attribution/attribution';
import type { StoredReferral } from '@/modules/attribution/attribution.repository';
import type { ReferralStatus } from '@/modules/attribution/referral.entity';

export interface ReferralRecord extends StoredReferral {
  /** Created by this batch (inserted) or changed by it (updated). */
  created: boolean;
  changed: boolean;
}

/**
 * The referrals of a batch's customers while its events are decided one after the other: a
 * referral created or converted by one event is what the next event of that customer sees.
 * At the end it yields the rows to insert and update.
 */
export class ReferralBook {
  private readonly byCustomer = new Map<string, ReferralRecord[]>();

  constructor(stored: StoredReferral[]) {
    for (const r of stored) {
      this.listOf(r.customerId).push({ ...r, created: false, changed: false });
    }
  }

  referralsOf(customerId: string): ReferralState[] {
    return this.listOf(customerId);
  }

  programIds(): string[] {
    return [...this.byCustomer.values()].flat().map((r) => r.programId);
  }

  advocateIds(): string[] {
    return [...this.byCustomer.values()].flat().map((r) => r.advocateId);
  }

  /** Applies an attribution decision's referral change; returns the referral the event is on. */
  apply(
    customerId: string,
    change: ReferralChange,
    attribution: Attribution,
    ctx: { eventRowId: string; newCustomer: boolean; now: Date },
  ): ReferralRecord {
    if (change.kind === 'new') {
      const record: ReferralRecord = {
        id: newId('referral'),
        programId: attribution.programId,
        customerId,
        advocateId: attribution.advocateId,
        status: change.status,
        reason: change.reason,
        method: attribution.method,
        ctaId: attribution.ctaId,
        channel: attribution.channel,
        clickId: attribution.clickId,
        newCustomer: ctx.newCustomer,
        firstEventId: ctx.eventRowId,
        convertedEventId: null,
        convertedAt: null,
        rejectedAt: change.status === 'rejected' ? ctx.now : null,
        createdAt: ctx.now,
        reviewStatus: null,
        created: true,
        changed: false,
      };
      this.listOf(customerId).push(record);
      return record;
    }
    const record = this.listOf(customerId).find((r) => r.id === change.id)!;
    if (change.change === 'repoint' || change.change === 'reject') {
      record.advocateId = attribution.advocateId;
      record.method = attribution.method;
      record.ctaId = attribution.ctaId;
      record.channel = attribution.channel;
      record.clickId = attribution.clickId;
      record.changed = true;
    }
    if (change.change === 'reject') {
      record.status = 'rejected';
      record.reason = 'self_referral';
      record.rejectedAt = ctx.now;
    }
    return record;
  }

  /** The first attributed purchase converts a pending referral. */
  convert(record: ReferralRecord, eventRowId: string, now: Date): boolean {
    if (record.status !== 'pending') return false;
    record.status = 'converted' satisfies ReferralStatus;
    record.convertedEventId = eventRowId;
    record.convertedAt = now;
    record.changed = true;
    return true;
  }

  rows(brandId: string): {
    inserts: Record<string, unknown>[];
    updates: Record<string, unknown>[];
  } {
    const all = [...this.byCustomer.values()].flat();
    const row = (r: ReferralRecord) => ({
      id: r.id,
      brand_id: brandId,
      program_id: r.programId,
      customer_id: r.customerId,
      advocate_id: r.advocateId,
      status: r.status,
      reason: r.reason,
      method: r.method,
      cta_id: r.ctaId,
      channel: r.channel,
      click_id: r.clickId,
      new_customer: r.newCustomer,
      first_event_id: r.firstEventId,
      converted_event_id: r.convertedEventId,
      converted_at: r.convertedAt?.toISOString() ?? null,
      rejected_at: r.rejectedAt?.toISOString() ?? null,
    });
    return {
      inserts: all.filter((r) => r.created).map(row),
      updates: all.filter((r) => !r.created && r.changed).map(row),
    };
  }

  private listOf(customerId: string): ReferralRecord[] {
    let list = this.byCustomer.get(customerId);
    if (!list) {
      list = [];
      this.byCustomer.set(customerId, list);
    }
    return list;
  }
}
