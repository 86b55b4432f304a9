import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Brand, startApp, TestApp } from './helpers/app';
import { createAdvocate, createProgram, createRule } from './helpers/event-factories';
import { createBatch, createdBatch, createKey, earn, soon } from './helpers/payouts';

/**
 * The README's examples, run as a newcomer copies them, in the README's order: the bodies are
 * read from README.md itself, so an example that stops working (a date gone by, an output that
 * no longer matches) fails here.
 */
const README = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');

/** The text between `start` (which must occur once) and the next `end` after it. */
function between(start: string, end: string): string {
  const at = README.indexOf(start);
  if (at < 0 || README.indexOf(start, at + 1) >= 0) throw new Error(`not once: ${start}`);
  const from = at + start.length;
  const to = README.indexOf(end, from);
  if (to < 0) throw new Error(`no end after: ${start}`);
  return README.slice(from, to);
}

/** A curl's `-d '…'` JSON body. */
const jsonBody = (text: string) => JSON.parse(between(text, "'"));

describe('README examples, as written', () => {
  let t: TestApp;
  let brand: Brand;

  beforeAll(async () => {
    t = await startApp({ REWARD_APPROVAL_INTERVAL_MS: '0' });
    brand = await t.createBrand();
  });
  afterAll(() => t.close());

  it('"Set up a two-sided program" creates a program that is live now: its links track', async () => {
    const body = jsonBody(
      `PROGRAM=$(curl -s -X POST $API/v1/programs -H "$AUTH" -H 'content-type: application/json' -d '`,
    );
    if (body.startsAt) expect(Date.parse(body.startsAt)).toBeLessThanOrEqual(Date.now());
    if (body.endsAt) expect(Date.parse(body.endsAt)).toBeGreaterThan(Date.now());
    const created = await t.request('POST', '/v1/programs', { key: brand.key, body });
    expect(created.status).toBe(201);
    const programId = created.body.id;
    const live = await t.request('PATCH', `/v1/programs/${programId}`, {
      key: brand.key,
      body: { status: 'active' },
    });
    expect(live.status).toBe(200);
    const advocate = await t.request('POST', '/v1/advocates', {
      key: brand.key,
      body: { externalId: 'readme-program-check' },
    });
    const enrolled = await t.request('POST', `/v1/programs/${programId}/enrollments`, {
      key: brand.key,
      body: { advocateId: advocate.body.id },
    });
    expect(enrolled.status).toBe(201);
    const visit = await t.request('GET', `/r/${enrolled.body.links[0].slug}`, {
      headers: { 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)' },
    });
    expect(visit.status).toBe(302);
    // An ended (or not yet started) program redirects to the plain landing page instead.
    expect(new URL(visit.headers.get('location')!).searchParams.get('tclid')).toBeTruthy();
  });

  it('the CSV import after "Create, read, update" answers what the README shows', async () => {
    const alice = jsonBody(`curl -s -X POST $TANDEM/v1/advocates -H "Authorization: Bearer $KEY" \\
  -H 'Content-Type: application/json' -d '`);
    expect((await t.request('POST', '/v1/advocates', { key: brand.key, body: alice })).status).toBe(
      201,
    );
    const csv = between("cat > advocates.csv <<'EOF'\n", 'EOF\n');
    const shown = between('--data-binary @advocates.csv\n# 200 ', '\n```')
      .split('\n')
      .map((line) => line.replace(/^#\s*/, ''))
      .join('');
    const imported = await t.request('POST', '/v1/advocates/import', {
      key: brand.key,
      rawBody: csv,
      headers: { 'content-type': 'text/csv' },
    });
    expect(imported.status).toBe(200);
    expect(imported.body).toEqual(JSON.parse(shown));
    // "The same file sent again updates both"
    const again = await t.request('POST', '/v1/advocates/import', {
      key: brand.key,
      rawBody: csv,
      headers: { 'content-type': 'text/csv' },
    });
    expect(again.body).toMatchObject({ created: 0, updated: 2, failed: 1 });
    expect(README).toContain('`"created":0,"updated":2,"failed":1`');
  });

  it('a payout batch needs a cutoff; a date-only cutoff is its midnight UTC', async () => {
    const finance = await createKey(t, brand, ['finance']);
    const missing = await createBatch(t, finance, { currency: 'USD' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details).toEqual([{ field: 'cutoff', issue: 'is required' }]);
    expect(README).toContain('`details: [{"field": "cutoff", "issue": "is required"}]`');
    // a date is its midnight UTC: a reward approved now is taken by tomorrow's date
    const p = await createProgram(t, brand, { name: 'Payout check' });
    await createRule(t, p, {
      trigger: { event: 'purchase' },
      recipient: 'advocate',
      reward: { kind: 'cash', amount: 1000 },
    });
    await earn(t, p, await createAdvocate(t, p));
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const batch = await createBatch(t, finance, { currency: 'USD', cutoff: tomorrow });
    expect(batch.status).toBe(201);
    expect(batch.body).toMatchObject({
      cutoff: `${tomorrow}T00:00:00.000Z`,
      totals: { advocates: 1, rewards: 1, amount: 1000 },
    });
    const bad = await createBatch(t, finance, { currency: 'USD', cutoff: 'end of month' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe('cutoff');
  });
  it('the payouts walkthrough sets every variable it uses, with Node only, and pays', async () => {
    const section = between(
      '## Payouts: batches, exports and reconciliation\n',
      '\n## KPIs and reports',
    );
    expect(section).not.toMatch(/\bjq\b/);
    for (const [, name] of section.matchAll(/\$([A-Z][A-Z0-9_]*)/g)) {
      expect([name, new RegExp(`(^|[\\s(])${name}=`, 'm').test(README)]).toEqual([name, true]);
    }
    /** Runs a README `| node -pe '…'` on an answer, as the shell would. */
    const node = (script: string, answer: unknown) =>
      execFileSync(process.execPath, ['-pe', script], { input: JSON.stringify(answer) })
        .toString()
        .trim();

    // FIN=$(curl … api-keys … | node -pe …): the finance key's secret
    const keyBody =
      jsonBody(`FIN=$(curl -s -X POST $TANDEM/v1/api-keys -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \\
  -d '`);
    const created = await t.request('POST', '/v1/api-keys', { key: brand.key, body: keyBody });
    expect(created.status).toBe(201);
    const fin = node(
      between(`-d '{"name":"finance","scopes":["finance"]}' | node -pe '`, "'"),
      created.body,
    );
    expect(fin).toBe(created.body.secret);

    // BATCH=$(curl … payout-batches … | node -pe …): the batch's id (the README's cutoff is a
    // fixed date, so this batch is created up to now instead)
    const p = await createProgram(t, brand, { name: 'Payout walkthrough', holdDays: 0 });
    await createRule(t, p, {
      trigger: { event: 'purchase' },
      recipient: 'advocate',
      reward: { kind: 'cash', amount: 1000 },
    });
    await earn(t, p, await createAdvocate(t, p));
    const batch = await createdBatch(t, fin, { currency: 'USD', cutoff: soon() });
    const batchScript = between(
      `-d '{"currency":"USD","cutoff":"2026-11-30T23:59:59Z"}' \\\n  | node -pe '`,
      "'",
    );
    expect(node(batchScript, batch)).toBe(batch.id);
    expect(section).toContain(
      '"carried":{"advocates":1,"amount":1000},"banned":{"advocates":0,"amount":0}',
    );

    // mark-paid with the README's body, then (another batch) with no body at all
    const paidBody = jsonBody(`/mark-paid -H "Authorization: Bearer $FIN" \\
  -H 'Content-Type: application/json' -d '`);
    const paid = await t.request('POST', `/v1/payout-batches/${batch.id}/mark-paid`, {
      key: fin,
      body: paidBody,
    });
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ status: 'paid', reference: paidBody.reference });
    expect(section).toContain("with no `-d` and no `Content-Type`, is the same as `-d '{}'`");
    await earn(t, p, await createAdvocate(t, p));
    const other = await createdBatch(t, fin, { currency: 'USD', cutoff: soon() });
    const bare = await t.request('POST', `/v1/payout-batches/${other.id}/mark-paid`, { key: fin });
    expect(bare.status).toBe(200);
    expect(bare.body).toMatchObject({ status: 'paid', reference: null });
  });
});
