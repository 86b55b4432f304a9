import { Injectable } from '@nestjs/common';
import { asciiUrl } from '@/common/http/ascii-url';
import { isHttpUrl, TrackedUrlTemplate, trackedUrlTemplate } from '@/modules/tracking/landing-url';
import { LinkLookupRepository, LinkTarget } from '@/modules/tracking/link-lookup.repository';
import { LruCache } from '@/common/cache/lru-cache';

// Bounded in size and age: other instances see a change within TTL_MS even without the
// invalidation call, which only reaches this process.
const MAX_ENTRIES = 100_000;
const TTL_MS = 60_000;
// Unknown slugs are remembered briefly so a burst of bad links does not become a query each.
const NEGATIVE_TTL_MS = 5_000;

/** A link as the redirect serves it: the lookup plus the redirect URL prepared once. */
export interface CachedLink extends LinkTarget {
  /** Null when the landing URL is not an absolute http(s) URL (never redirected to). */
  template: TrackedUrlTemplate | null;
  startsAtMs: number | null;
  endsAtMs: number | null;
}

/**
 * slug → link, so a warm redirect never waits for the database. The lead's program, CTA and
 * advocate services call the invalidate* methods after a change (landing URL, status, …).
 */
@Injectable()
export class LinkCache {
  private readonly cache = new LruCache<string, CachedLink | null>(MAX_ENTRIES);
  private readonly loading = new Map<string, Promise<CachedLink | null>>();
  // Bumped by every invalidation: a lookup that started before one is not cached.
  private generation = 0;

  constructor(private readonly lookup: LinkLookupRepository) {}

  /** The cached link, null for a known-unknown slug, undefined on a miss. No I/O. */
  peek(slug: string, now: number): CachedLink | null | undefined {
    return this.cache.get(slug, now);
  }

  /** Loads a missed slug from the database (concurrent misses of one slug share the query). */
  load(slug: string): Promise<CachedLink | null> {
    const pending = this.loading.get(slug);
    if (pending) return pending;
    const generation = this.generation;
    const promise = this.lookup
      .findTargetBySlug(slug)
      .then((target) => {
        const link = target ? prepare(target) : null;
        if (generation === this.generation) {
          const ttl = link ? TTL_MS : NEGATIVE_TTL_MS;
          this.cache.set(slug, link, Date.now() + ttl);
        }
        return link;
      })
      .finally(() => {
        if (this.loading.get(slug) === promise) this.loading.delete(slug);
      });
    this.loading.set(slug, promise);
    return promise;
  }

  invalidateSlug(slug: string): void {
    this.bump();
    this.cache.delete(slug);
  }

  invalidateProgram(programId: string): void {
    this.bump();
    this.cache.deleteWhere((link) => link?.programId === programId);
  }

  invalidateCta(ctaId: string): void {
    this.bump();
    this.cache.deleteWhere((link) => link?.ctaId === ctaId);
  }

  invalidateAdvocate(advocateId: string): void {
    this.bump();
    this.cache.deleteWhere((link) => link?.advocateId === advocateId);
  }

  /** Forgets everything (tests, and after bulk changes). */
  invalidateAll(): void {
    this.bump();
    this.cache.clear();
  }

  private bump(): void {
    this.generation += 1;
    // Requests after the change must not join a lookup that started before it.
    this.loading.clear();
  }
}

/**
 * Every field spelled out, no `{ ...target }`: objects made by spreading got a hidden class each
 * (10,000 cached links, 10,000 shapes), which made every property read on the redirect path a
 * megamorphic cache miss (~3% of a redirect's CPU, measured). One literal, one shape.
 */
function prepare(target: LinkTarget): CachedLink {
  // Stored before landing URLs were made ASCII on input: a raw non-ASCII character in a
  // Location header throws in Node's HTTP server.
  const landingUrl = asciiUrl(target.landingUrl);
  return {
    linkId: target.linkId,
    slug: target.slug,
    brandId: target.brandId,
    programId: target.programId,
    ctaId: target.ctaId,
    advocateId: target.advocateId,
    code: target.code,
    ctaKey: target.ctaKey,
    channel: target.channel,
    landingUrl,
    ctaStatus: target.ctaStatus,
    programStatus: target.programStatus,
    startsAt: target.startsAt,
    endsAt: target.endsAt,
    advocateStatus: target.advocateStatus,
    template: isHttpUrl(landingUrl)
      ? trackedUrlTemplate(landingUrl, {
          code: target.code,
          channel: target.channel,
          programId: target.programId,
          ctaKey: target.ctaKey,
        })
      : null,
    startsAtMs: target.startsAt ? target.startsAt.getTime() : null,
    endsAtMs: target.endsAt ? target.endsAt.getTime() : null,
  };
}
