import type { AdvocateStatus } from '@/modules/advocates/advocate.entity';
import type { ReferralStatus } from '@/modules/attribution/referral.entity';
import type { AttributionMethod } from '@/modules/events/event.entity';
import type { AttributionModel, ProgramStatus } from '@/modules/programs/program.entity';

/**
 * Who a conversion belongs to, decided without I/O from what the repository loaded.
 *
 * Precedence: (1) the event's signed click id, valid and inside its program's window — among the
 * customer's known clicks of that program in the window, the first or last by the program's
 * model; (2) the referral code sent with the event; (3) the customer's existing referral
 * (sticky); else unattributed, with the reason of the first signal that failed.
 *
 * One friend is referred once per program: a click or code of another advocate does not move a
 * converted referral (later purchases stay with the advocate who brought the friend); a pending
 * one follows the model — last touch moves it to the newer advocate, first touch keeps it.
 */

/** Clocks differ: a click stamped up to this long after the event still counts. */
export const CLOCK_SKEW_MS = 5 * 60_000;
const DAY_MS = 86_400_000;

export interface LinkInfo {
  linkId: string;
  programId: string;
  advocateId: string;
  ctaId: string;
  ctaKey: string;
  channel: string;
}

export interface CtaInfo {
  id: string;
  key: string;
  channel: string;
}

export interface ProgramInfo {
  id: string;
  status: ProgramStatus;
  startsAt: Date | null;
  endsAt: Date | null;
  /** When the program was created: its start when it has no startsAt. */
  createdAt: Date;
  windowDays: number;
  model: AttributionModel;
  ctas: CtaInfo[];
  /** The program's selfReferral fraud rule; off: a friend who is the advocate is not rejected. */
  selfReferralCheck?: boolean;
}

export interface AdvocateInfo {
  id: string;
  status: AdvocateStatus;
  externalId: string;
  emailNormalized: string | null;
}

export interface CodeInfo {
  programId: string;
  advocateId: string;
}

export interface ReferralState {
  id: string;
  programId: string;
  advocateId: string;
  status: ReferralStatus;
  reason: string | null;
  ctaId: string | null;
  channel: string | null;
  createdAt: Date;
}

export interface KnownClick {
  clickId: string;
  linkId: string;
  clickedAt: Date;
}

export interface AttributionInput {
  occurredAt: Date;
  customerExternalId: string;
  customerEmailNormalized: string | null;
  /** The event's click id; verified null when forged, altered or not a click id. */
  click: { id: string; verified: { linkId: string; clickedAt: Date } | null } | null;
  /** Upper-cased. */
  code: string | null;
  ctaKey: string | null;
  /** Genuine click ids the customer's earlier events carried. */
  priorClicks: KnownClick[];
  referrals: ReferralState[];
  links: ReadonlyMap<string, LinkInfo>;
  codes: ReadonlyMap<string, CodeInfo>;
  programs: ReadonlyMap<string, ProgramInfo>;
  advocates: ReadonlyMap<string, AdvocateInfo>;
}

export interface Attribution {
  programId: string;
  advocateId: string;
  method: AttributionMethod;
  ctaId: string | null;
  ctaKey: string | null;
  channel: string | null;
  clickId: string | null;
  clickedAt: Date | null;
  model: AttributionModel;
  windowDays: number;
}

export type ReferralChange =
  | { kind: 'new'; status: 'pending' | 'rejected'; reason: string | null }
  | { kind: 'existing'; id: string; change: null | 'repoint' | 'reject' };

export type AttributionDecision =
  | { status: 'unattributed'; reason: string }
  | {
      status: 'attributed' | 'rejected';
      reason: string | null;
      attribution: Attribution;
      /** null: no referral is recorded (a banned advocate). */
      referral: ReferralChange | null;
      /** Rewards are held for review with this reason. */
      holdReason: string | null;
    };

type Candidate = { ok: true; attribution: Attribution } | { ok: false; reason: string };

/**
 * Active, and `at` inside its dates: from startsAt up to endsAt, excluded, as links and shares.
 * Without startsAt, from its creation (nobody was referred through a program that did not exist
 * yet), less the clock skew allowed between the brand's clock and ours.
 */
export function isProgramLive(program: ProgramInfo, at: Date): boolean {
  if (program.status !== 'active') return false;
  if (at < programStart(program)) return false;
  return !(program.endsAt && at >= program.endsAt);
}

export function programStart(p: { startsAt: Date | null; createdAt: Date }): Date {
  return p.startsAt ?? new Date(p.createdAt.getTime() - CLOCK_SKEW_MS);
}

function inWindow(program: ProgramInfo, clickedAt: Date, at: Date): boolean {
  const age = at.getTime() - clickedAt.getTime();
  return age >= -CLOCK_SKEW_MS && age <= program.windowDays * DAY_MS;
}

function byClick(input: AttributionInput): Candidate {
  const { click, links, programs, occurredAt } = input;
  const verified = click?.verified;
  const link = verified ? links.get(verified.linkId) : undefined;
  const program = link ? programs.get(link.programId) : undefined;
  // Another brand's click, or a forged one, looks the same as garbage: nothing is revealed.
  if (!verified || !link || !program) return { ok: false, reason: 'click_id_invalid' };
  if (!isProgramLive(program, occurredAt)) return { ok: false, reason: 'program_not_active' };
  if (!inWindow(program, verified.clickedAt, occurredAt)) {
    return { ok: false, reason: 'click_outside_window' };
  }
  const touches = [{ clickId: click!.id, ...verified }, ...input.priorClicks].filter((c) => {
    const l = links.get(c.linkId);
    return l?.programId === program.id && inWindow(program, c.clickedAt, occurredAt);
  });
  // Ties keep the event's own click (it comes first).
  const chosen = touches.reduce((best, c) => {
    const t = c.clickedAt.getTime();
    const b = best.clickedAt.getTime();
    return (program.model === 'first_touch' ? t < b : t > b) ? c : best;
  });
  const l = links.get(chosen.linkId)!;
  return {
    ok: true,
    attribution: {
      programId: program.id,
      advocateId: l.advocateId,
      method: 'click',
      ctaId: l.ctaId,
      ctaKey: l.ctaKey,
      channel: l.channel,
      clickId: chosen.clickId,
      clickedAt: chosen.clickedAt,
      model: program.model,
      windowDays: program.windowDays,
    },
  };
}

function byCode(input: AttributionInput): Candidate {
  const found = input.code ? input.codes.get(input.code) : undefined;
  const program = found ? input.programs.get(found.programId) : undefined;
  if (!found || !program) return { ok: false, reason: 'unknown_code' };
  if (!isProgramLive(program, input.occurredAt)) return { ok: false, reason: 'program_not_active' };
  const cta = input.ctaKey ? program.ctas.find((c) => c.key === input.ctaKey) : undefined;
  return {
    ok: true,
    attribution: {
      programId: program.id,
      advocateId: found.advocateId,
      method: 'code',
      ctaId: cta?.id ?? null,
      ctaKey: cta?.key ?? null,
      channel: cta?.channel ?? null,
      clickId: null,
      clickedAt: null,
      model: program.model,
      windowDays: program.windowDays,
    },
  };
}

function fromReferral(referral: ReferralState, program: ProgramInfo): Attribution {
  const cta = referral.ctaId ? program.ctas.find((c) => c.id === referral.ctaId) : undefined;
  return {
    programId: program.id,
    advocateId: referral.advocateId,
    method: 'referral',
    ctaId: referral.ctaId,
    ctaKey: cta?.key ?? null,
    channel: referral.channel,
    clickId: null,
    clickedAt: null,
    model: program.model,
    windowDays: program.windowDays,
  };
}

/** The most recent referral of the customer in a live program. */
function byReferral(input: AttributionInput): Candidate & { referral?: ReferralState } {
  const sorted = [...input.referrals].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  if (sorted.length === 0) return { ok: false, reason: 'no_referral_signal' };
  for (const referral of sorted) {
    const program = input.programs.get(referral.programId);
    if (program && isProgramLive(program, input.occurredAt)) {
      return { ok: true, attribution: fromReferral(referral, program), referral };
    }
  }
  return { ok: false, reason: 'program_not_active' };
}

export function attribute(input: AttributionInput): AttributionDecision {
  let firstFailure: string | undefined;
  let candidate: Attribution | undefined;
  for (const [present, resolve] of [
    [input.click !== null, byClick],
    [input.code !== null, byCode],
    [true, byReferral],
  ] as const) {
    if (!present) continue;
    const result = resolve(input);
    if (result.ok) {
      candidate = result.attribution;
      break;
    }
    if (result.reason !== 'no_referral_signal') firstFailure ??= result.reason;
  }
  if (!candidate) return { status: 'unattributed', reason: firstFailure ?? 'no_referral_signal' };

  const program = input.programs.get(candidate.programId)!;
  const existing = input.referrals.find((r) => r.programId === candidate.programId);
  let attribution = candidate;
  let referral: ReferralChange = { kind: 'new', status: 'pending', reason: null };
  if (existing) {
    const sameAdvocate = existing.advocateId === candidate.advocateId;
    const moves = existing.status === 'pending' && program.model === 'last_touch';
    if (!sameAdvocate && !moves) attribution = fromReferral(existing, program);
    referral = {
      kind: 'existing',
      id: existing.id,
      change: !sameAdvocate && moves ? 'repoint' : null,
    };
    if (existing.status === 'rejected') {
      return {
        status: 'rejected',
        reason: existing.reason ?? 'referral_rejected',
        attribution: fromReferral(existing, program),
        referral: { kind: 'existing', id: existing.id, change: null },
        holdReason: null,
      };
    }
  }

  const advocate = input.advocates.get(attribution.advocateId);
  if (!advocate || advocate.status === 'banned') {
    return {
      status: 'rejected',
      reason: advocate ? 'advocate_banned' : 'advocate_not_found',
      attribution,
      referral: referral.kind === 'existing' ? { ...referral, change: null } : null,
      holdReason: null,
    };
  }
  if (program.selfReferralCheck !== false && isSelfReferral(input, advocate)) {
    const rejected: ReferralChange =
      referral.kind === 'new'
        ? { kind: 'new', status: 'rejected', reason: 'self_referral' }
        : { ...referral, change: existing?.status === 'converted' ? null : 'reject' };
    return {
      status: 'rejected',
      reason: 'self_referral',
      attribution,
      referral: rejected,
      holdReason: null,
    };
  }
  return {
    status: 'attributed',
    reason: null,
    attribution,
    referral,
    holdReason: advocate.status === 'paused' ? 'advocate_paused' : null,
  };
}

/** The friend is the advocate: same brand customer id, or the same normalised e-mail. */
export function isSelfReferral(
  input: Pick<AttributionInput, 'customerExternalId' | 'customerEmailNormalized'>,
  advocate: AdvocateInfo,
): boolean {
  if (advocate.externalId === input.customerExternalId) return true;
  return (
    input.customerEmailNormalized !== null &&
    advocate.emailNormalized !== null &&
    advocate.emailNormalized === input.customerEmailNormalized
  );
}
