import type {
  AdvocateInfo,
  CodeInfo,
  LinkInfo,
  ProgramInfo,
} from '@/modules/attribution/attribution';
import type { FraudRules } from '@/modules/fraud/fraud-rules';
import type { RuleSpec } from '@/modules/rewards/rule-evaluation';

export interface RuleConfig extends RuleSpec {
  programId: string;
  /** updated_at as PostgreSQL text: the basis of the rule's budget tally. */
  updatedAt: string;
  /** The brand uploaded coupon codes for it: codes come from the pool, never generated. */
  hasPool: boolean;
}

export interface ProgramConfig extends ProgramInfo {
  currency: string;
  holdDays: number;
  budgetAmount: number | null;
  updatedAt: string;
  /** Active rules, oldest first. */
  rules: RuleConfig[];
  /** Fraud rules in effect (defaults filled in). */
  fraudRules: FraudRules;
}

/** The configuration one batch of events is decided against, loaded in one query. */
export class ConfigSnapshot {
  readonly links = new Map<string, LinkInfo>();
  readonly codes = new Map<string, CodeInfo>();
  readonly programs = new Map<string, ProgramConfig>();
  readonly advocates = new Map<string, AdvocateInfo>();
  /** Looked up and not found (so they are not looked up again). */
  readonly absent = new Set<string>();
  /**
   * Webhook event types some enabled endpoint of the brand subscribes to, as of the last config
   * statement (null before one ran): an event of another type would be stored for no one, so
   * the outbox statement is skipped when none is left.
   */
  webhookTypes: Set<string> | null = null;

  missing(wanted: ConfigRequest): ConfigRequest {
    const keep = (ids: Iterable<string>, map: Map<string, unknown>, tag: string) =>
      [...new Set(ids)].filter((id) => !map.has(id) && !this.absent.has(`${tag}:${id}`));
    return {
      linkIds: keep(wanted.linkIds, this.links, 'link'),
      codes: keep(wanted.codes, this.codes, 'code'),
      programIds: keep(wanted.programIds, this.programs, 'program'),
      advocateIds: keep(wanted.advocateIds, this.advocates, 'advocate'),
    };
  }
}

export interface ConfigRequest {
  linkIds: string[];
  codes: string[];
  programIds: string[];
  advocateIds: string[];
}

export function isEmptyRequest(r: ConfigRequest): boolean {
  return !r.linkIds.length && !r.codes.length && !r.programIds.length && !r.advocateIds.length;
}
