/**
 * node dist/bench/redirect-answer.js — the redirect's own work in process, without HTTP or a
 * database: RedirectService.find + answer for a warm link (click id, user agent, visitor hash,
 * repeat visits, click row), in CPU µs per call. On a shared machine this stays comparable where
 * req/s does not. Same inputs as bench:redirect: 10,000 links, random client addresses, one
 * Chrome user agent (a fresh string per call, as a parsed request gives).
 *
 * Options (env): BENCH_CALLS=200000 BENCH_ROUNDS=5
 *   BENCH_DIST=<another build's dist> (A/B: the same loop against that build's modules)
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { AppConfig } from '@/config/env';
import type { ClickRow } from '@/modules/tracking/click.repository';
import type { LinkTarget } from '@/modules/tracking/link-lookup.repository';

const CALLS = Number(process.env.BENCH_CALLS ?? 200_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const DIST = process.env.BENCH_DIST ?? join(__dirname, '..');
const LINKS = 10_000;
const ADDRESSES = 50_000;
const USER_AGENT =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/* eslint-disable @typescript-eslint/no-require-imports -- modules of the build under test */
const { RedirectService } = require(
  join(DIST, 'src/modules/tracking/redirect.service'),
) as typeof import('@/modules/tracking/redirect.service');
const { ClickIdService } = require(
  join(DIST, 'src/modules/tracking/click-id.service'),
) as typeof import('@/modules/tracking/click-id.service');
const { LinkCache } = require(
  join(DIST, 'src/modules/tracking/link-cache'),
) as typeof import('@/modules/tracking/link-cache');
/* eslint-enable @typescript-eslint/no-require-imports */

function randomId(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += BASE62[bytes[i]! % 62];
  return out;
}

function cpuUs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return used.user + used.system;
}

async function main(): Promise<void> {
  const config = { secret: randomId(48), clickRepeatWindowMinutes: 30 } as AppConfig;
  const brandId = `brd_${randomId(20)}`;
  const programId = `prg_${randomId(20)}`;
  const targets = new Map<string, LinkTarget>();
  for (let i = 0; i < LINKS; i++) {
    const slug = randomId(10);
    targets.set(slug, {
      linkId: `lnk_${randomId(20)}`,
      slug,
      brandId,
      programId,
      ctaId: `cta_${randomId(20)}`,
      advocateId: `adv_${randomId(20)}`,
      code: `BENCH${i}`,
      ctaKey: 'instagram-post',
      channel: 'instagram',
      landingUrl: 'https://shop.example.com/welcome?lang=en',
      ctaStatus: 'active',
      programStatus: 'active',
      startsAt: null,
      endsAt: null,
      advocateStatus: 'active',
    });
  }
  // The real cache, filled through its loader as a cache miss would (again before each round:
  // its entries live 60 s).
  const links = new LinkCache({
    findTargetBySlug: (slug: string) => Promise.resolve(targets.get(slug)),
  } as never);
  const fill = async () => {
    for (const slug of targets.keys()) await links.load(slug);
  };
  let buffered = 0;
  const writer = {
    add: (row: ClickRow) => {
      buffered += row.isFirstVisit ? 1 : 0;
    },
  };
  const service = new RedirectService(links, new ClickIdService(config), writer as never, config);
  const slugs = [...targets.keys()];
  const picks = Array.from({ length: ADDRESSES }, () => slugs[(Math.random() * LINKS) | 0]!);
  const ips = Array.from(
    { length: ADDRESSES },
    () =>
      `10.${(Math.random() * 256) | 0}.${(Math.random() * 256) | 0}.${1 + ((Math.random() * 254) | 0)}`,
  );
  const [uaHead, uaTail] = [USER_AGENT.slice(0, 60), USER_AGENT.slice(60)];

  const run = (calls: number): number => {
    let now = Date.now();
    let chars = 0;
    for (let i = 0; i < calls; i++) {
      const k = i % ADDRESSES;
      const link = service.find(picks[k]!, now);
      if (link instanceof Promise) throw new Error('the link cache went cold');
      const answer = service.answer(
        link,
        { counted: true, ip: ips[k]!, userAgent: uaHead + uaTail, referer: undefined },
        now,
      );
      if (answer.kind !== 'tracked') throw new Error(`unexpected ${answer.kind}`);
      chars += answer.location.length;
      if ((i & 255) === 0) now = Date.now();
    }
    return chars;
  };

  await fill();
  run(CALLS / 2); // JIT warm-up
  const figures: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    await fill();
    const since = process.cpuUsage();
    run(CALLS);
    figures.push(cpuUs(since) / CALLS);
  }
  figures.sort((a, b) => a - b);
  process.stdout.write(
    `${DIST}: find + answer ${figures[Math.floor(ROUNDS / 2)]!.toFixed(2)} µs CPU per call ` +
      `(median of ${ROUNDS} × ${CALLS.toLocaleString('en-US')}; min ${figures[0]!.toFixed(2)}, ` +
      `max ${figures[ROUNDS - 1]!.toFixed(2)}; ${buffered > 0 ? 'clicks buffered' : 'NO CLICKS'})\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
