import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '@/config/env';

describe('loadConfig', () => {
  const dataDir = () => join(mkdtempSync(join(tmpdir(), 'tandem-cfg-')), 'data');

  it('has working defaults for a zero-config start', () => {
    const dir = dataDir();
    const config = loadConfig({ TANDEM_DATA_DIR: dir });
    expect(config).toMatchObject({
      port: 3000,
      host: '0.0.0.0',
      logLevel: 'info',
      rateLimitPerMinute: 6000,
      clickRepeatWindowMinutes: 30,
    });
    expect(config.database).toMatchObject({
      url: undefined,
      dataDir: dir,
      poolSize: 10,
      migrationsRun: true,
    });
    expect(config.publicBaseUrl).toBe('http://localhost:3000');
    // the generated secret is kept beside the data dir and reused on the next start
    expect(config.secret).toBe(readFileSync(join(dir, '..', 'secret'), 'utf8'));
    expect(loadConfig({ TANDEM_DATA_DIR: dir }).secret).toBe(config.secret);
  });

  it('stops with a message naming every bad variable', () => {
    let error: ConfigError | undefined;
    try {
      loadConfig({
        PORT: 'eighty',
        LOG_LEVEL: 'loud',
        DATABASE_URL: 'mysql://x',
        TANDEM_SECRET: 'short',
        CLICK_REPEAT_WINDOW_MINUTES: '-5',
        SHUTDOWN_TIMEOUT_MS: '0',
      });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = error!.message;
    for (const name of [
      'PORT',
      'LOG_LEVEL',
      'DATABASE_URL',
      'TANDEM_SECRET',
      'CLICK_REPEAT_WINDOW_MINUTES',
      'SHUTDOWN_TIMEOUT_MS',
    ])
      expect(text).toContain(name);
    expect(text).not.toContain('short'); // secrets are never echoed
    expect(text).not.toContain('mysql://x');
  });

  it('reads explicit values and trims the public base URL', () => {
    const config = loadConfig({
      PORT: '8080',
      DATABASE_URL: 'postgres://u@db:5432/tandem',
      TANDEM_SECRET: 'x'.repeat(32),
      PUBLIC_BASE_URL: 'https://go.example.com/',
      RATE_LIMIT_PER_MINUTE: '100',
      CLICK_REPEAT_WINDOW_MINUTES: '0',
    });
    expect(config.port).toBe(8080);
    expect(config.database.url).toBe('postgres://u@db:5432/tandem');
    expect(config.publicBaseUrl).toBe('https://go.example.com');
    expect(config.rateLimitPerMinute).toBe(100);
    expect(config.clickRepeatWindowMinutes).toBe(0);
  });
});
