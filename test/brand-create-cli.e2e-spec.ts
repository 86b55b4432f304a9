import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startApp, testEnv, TestApp } from './helpers/app';

describe('npm run brand:create', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(() => t.close());

  const run = (args: string[]) =>
    spawnSync(
      process.execPath,
      [
        '-r',
        'ts-node/register/transpile-only',
        '-r',
        'tsconfig-paths/register',
        join(__dirname, '..', 'src/cli/brand-create.ts'),
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
    );

  it('prints {"brandId","apiKey"} only with --json, and the key works', async () => {
    const out = run(['--name', 'Acme CLI', '--json']);
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
    const printed = JSON.parse(out.stdout);
    expect(Object.keys(printed).sort()).toEqual(['apiKey', 'brandId']);
    const res = await t.request('GET', '/v1/api-keys', { key: printed.apiKey });
    expect(res.status).toBe(200);
    expect(res.body.data[0].scopes).toEqual(['admin']);
  });

  it('explains its usage when the name is missing', () => {
    const out = run(['--json']);
    expect(out.status).toBe(1);
    expect(out.stderr).toContain('usage: npm run brand:create -- --name');
  });
});
