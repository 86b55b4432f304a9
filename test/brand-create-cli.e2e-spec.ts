import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startApp, testEnv, TestApp } from './helpers/app';

describe('npm run brand:create', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(() => t.close());

  const run = (args: string[], env: Record<string, string> = {}) =>
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
          ...env,
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

  it('prints a curl to try the key at the address PORT and HOST give, and says so', async () => {
    const everywhere = run(['--name', 'Acme port'], { PORT: '4321', HOST: '0.0.0.0' });
    expect(everywhere.status).toBe(0);
    const key = /^ {2}(tdm_\S+)$/m.exec(everywhere.stdout)![1];
    expect(everywhere.stdout).toContain(
      'Try it (the service at http://localhost:4321, from PORT and HOST here; if it was started ' +
        'with other values, use its address):\n' +
        `  curl -H "Authorization: Bearer ${key}" http://localhost:4321/v1/api-keys\n`,
    );
    expect(run(['--name', 'Acme v6'], { PORT: '4322', HOST: '::1' }).stdout).toContain(
      ' http://[::1]:4322/v1/api-keys\n',
    );
    expect(run(['--name', 'Acme host'], { PORT: '4323', HOST: '127.0.0.2' }).stdout).toContain(
      ' http://127.0.0.2:4323/v1/api-keys\n',
    );
    // PORT=0 picks a free port when the service starts: no port to print
    const anyPort = run(['--name', 'Acme any'], { PORT: '0' });
    expect(anyPort.stdout).toContain('PORT=0 picks a free port');
    expect(anyPort.stdout).not.toMatch(/:0\//);
    // the printed command works against the service, given its address
    const res = await t.request('GET', '/v1/api-keys', { key });
    expect(res.status).toBe(200);
  });

  it('explains its usage when the name is missing', () => {
    const out = run(['--json']);
    expect(out.status).toBe(1);
    expect(out.stderr).toContain('usage: npm run brand:create -- --name');
  });
});
