import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@/config/config.module';
import { AppConfig } from '@/config/env';
import { ClickIdService } from '@/modules/tracking/click-id.service';
import { ClickWriter } from '@/modules/tracking/click-writer';
import { trackedUrl } from '@/modules/tracking/landing-url';
import { CachedLink, LinkCache } from '@/modules/tracking/link-cache';
import { LruCache } from '@/common/cache/lru-cache';
import { referrerHost } from '@/modules/tracking/referrer';
import { RepeatVisits } from '@/modules/tracking/repeat-visits';
import { classifyUserAgent, UserAgentInfo } from '@/modules/tracking/user-agent';
import { VisitorHasher } from '@/modules/tracking/visitor-hash';

/** What the redirect needs to know about the request (never stored as such). */
export interface Visit {
  /** HEAD probes get the same answer but are not counted. */
  counted: boolean;
  ip: string;
  userAgent: string | undefined;
  referer: string | undefined;
}

export type RedirectAnswer =
  | { kind: 'tracked'; location: string; clickId: string; isBot: boolean }
  | { kind: 'plain'; location: string }
  | { kind: 'not_found' };

const SLUG = /^[A-Za-z0-9_-]{1,64}$/;
// User agents repeat a lot; classifying one runs a few large regexes.
const UA_CACHE_MAX = 20_000;
const UA_MAX_CHARS = 512;
const NEVER = Number.POSITIVE_INFINITY;

/**
 * The hot path of GET /r/:slug. With the slug cached nothing here touches the database: the
 * click row goes to the ClickWriter's buffer and the click id is signed in process.
 */
@Injectable()
export class RedirectService {
  private readonly visitors: VisitorHasher;
  private readonly repeatVisits: RepeatVisits;
  private readonly userAgents = new LruCache<string, UserAgentInfo>(UA_CACHE_MAX);

  constructor(
    private readonly links: LinkCache,
    private readonly clickIds: ClickIdService,
    private readonly writer: ClickWriter,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.visitors = new VisitorHasher(config.secret);
    this.repeatVisits = new RepeatVisits(config.clickRepeatWindowMinutes * 60_000);
  }

  /** The link for a slug: synchronous when cached, a database lookup on a miss. */
  find(slug: string, now: number): CachedLink | null | Promise<CachedLink | null> {
    if (!SLUG.test(slug)) return null;
    const cached = this.links.peek(slug, now);
    return cached !== undefined ? cached : this.links.load(slug);
  }

  answer(link: CachedLink | null, visit: Visit, now: number): RedirectAnswer {
    if (!link || !link.template) return { kind: 'not_found' };
    if (!isTracked(link, now)) return { kind: 'plain', location: link.landingUrl };
    const clickId = this.clickIds.signClickId(link.linkId, now);
    const location = trackedUrl(link.template, clickId);
    if (!visit.counted) return { kind: 'tracked', location, clickId, isBot: false };
    const ua = visit.userAgent ? visit.userAgent.slice(0, UA_MAX_CHARS) : '';
    const agent = this.classify(ua);
    const visitorHash = this.visitors.hash(link.brandId, visit.ip, ua, now);
    this.writer.add({
      id: clickId,
      brandId: link.brandId,
      programId: link.programId,
      ctaId: link.ctaId,
      advocateId: link.advocateId,
      linkId: link.linkId,
      channel: link.channel,
      clickedAt: now,
      referrerHost: referrerHost(visit.referer),
      uaFamily: agent.family,
      isBot: agent.isBot,
      // Bots are kept out of the repeat map and are never first visits.
      isFirstVisit: !agent.isBot && this.repeatVisits.visit(link.linkId, visitorHash, now),
      visitorHash,
    });
    return { kind: 'tracked', location, clickId, isBot: agent.isBot };
  }

  private classify(ua: string): UserAgentInfo {
    let info = this.userAgents.get(ua, 0);
    if (!info) {
      info = classifyUserAgent(ua);
      this.userAgents.set(ua, info, NEVER);
    }
    return info;
  }
}

/**
 * Draft, paused and ended programs, programs outside their schedule, archived CTAs, and paused
 * or banned advocates redirect to the plain landing URL without counting: the friend never hits
 * a dead end, and nothing is attributed.
 */
export function isTracked(link: CachedLink, now: number): boolean {
  if (link.programStatus !== 'active' || link.ctaStatus !== 'active') return false;
  if (link.startsAtMs !== null && now < link.startsAtMs) return false;
  if (link.endsAtMs !== null && now >= link.endsAtMs) return false;
  return link.advocateStatus !== 'banned' && link.advocateStatus !== 'paused';
}
