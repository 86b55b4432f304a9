import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, testEnv, TestApp } from './helpers/app';
import { createAdvocate, createProgram, createRule } from './helpers/event-factories';
import { createdBatch, createKey, earn, soon } from './helpers/payouts';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('npm run payouts:export', () => {
  let t: TestApp;
  let dir: string;
  beforeAll(async () => {
    t = await startApp({ REWARD_APPROVAL_INTERVAL_MS: '0' });
    dir = mkdtempSync(join(tmpdir(), 'tandem-payouts-cli-'));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await t.close();
  });

  // Not spawnSync: the test's own server must keep answering while the command runs.
  const run = (args: string[]): Promise<Run> =>
    new Promise((resolve) => {
      execFile(
        process.execPath,
        [
          '-r',
          'ts-node/register/transpile-only',
          '-r',
          'tsconfig-paths/register',
          join(__dirname, '..', 'src/cli/payouts-export.ts'),
          ...args,
        ],
        {
          env: {
            ...process.env,
            ...testEnv(),
            TS_NODE_PROJECT: join(__dirname, '..', 'tsconfig.json'),
          } as NodeJS.ProcessEnv,
          encoding: 'utf8',
        },
        (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });

  it('explains its usage and exits 2 on bad arguments, before touching anything', async () => {
    // every message is checked in src/cli/payouts-export.spec.ts; here, the exit code and output
    const out = join(dir, 'never.csv');
    const runs = await Promise.all([
      run(['--out', out]),
      run(['--batch', 'pob_00000000000000000000', '--out', out, '--verbose']),
    ]);
    const messages = ['--batch is required', "Unknown option '--verbose'"];
    runs.forEach((r, i) => {
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(messages[i]);
      expect(r.stderr).toContain('usage: npm run payouts:export -- --batch <pob_…> --out');
    });
    expect(existsSync(out)).toBe(false);
  });

  it('writes the same file as the HTTP export; unknown batches exit 1', async () => {
    const brand = await t.createBrand();
    const finance = await createKey(t, brand, ['finance']);
    const p = await createProgram(t, brand, { holdDays: 0, currency: 'KWD' });
    await createRule(t, p, {
      trigger: { event: 'purchase' },
      recipient: 'advocate',
      reward: { kind: 'cash', amount: 1005 },
    });
    for (let i = 0; i < 3; i += 1) {
      const a = await createAdvocate(t, p, { name: `=Advocate ${i}` });
      await earn(t, p, a, { currency: 'KWD' });
      await earn(t, p, a, { currency: 'KWD' });
    }
    const batch = await createdBatch(t, finance, { currency: 'KWD', cutoff: soon() });

    const csvPath = join(dir, 'payouts.csv');
    const jsonPath = join(dir, 'payouts.ndjson');
    const [csv, json, stdout] = await Promise.all([
      run(['--batch', batch.id, '--out', csvPath]),
      run(['--batch', batch.id, '--format', 'json', '--detail', 'rewards', '--out', jsonPath]),
      run(['--batch', batch.id, '--detail', 'rewards', '--out', '-', '--brand', brand.id]),
    ]);
    for (const r of [csv, json, stdout])
      expect([r.code, r.stderr]).toEqual([0, expect.any(String)]);
    expect(csv.stderr).toContain(
      `3 advocate lines of ${batch.id} (exported; 3 advocates, net 6.030 KWD) written to ${csvPath}`,
    );
    const http = async (query: string) =>
      (await t.request('GET', `/v1/payout-batches/${batch.id}/export?${query}`, { key: finance }))
        .text;
    expect(readFileSync(csvPath, 'utf8')).toBe(await http('format=csv&detail=advocates'));
    expect(readFileSync(jsonPath, 'utf8')).toBe(await http('format=json&detail=rewards'));
    expect(stdout.stdout).toBe(await http('format=csv&detail=rewards'));
    expect(readFileSync(csvPath, 'utf8')).toContain("'=Advocate 0");
    expect(existsSync(`${csvPath}.partial`)).toBe(false);

    const other = await t.createBrand();
    const [wrongBrand, missing] = await Promise.all([
      run(['--batch', batch.id, '--out', join(dir, 'x.csv'), '--brand', other.id]),
      run(['--batch', 'pob_00000000000000000000', '--out', join(dir, 'y.csv')]),
    ]);
    for (const r of [wrongBrand, missing]) {
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('Payout batch not found');
    }
    expect(existsSync(join(dir, 'x.csv'))).toBe(false);
    expect(existsSync(join(dir, 'y.csv.partial'))).toBe(false);
  });
});
