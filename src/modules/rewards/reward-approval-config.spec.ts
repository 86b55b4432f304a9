import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '@/config/env';

describe('REWARD_APPROVAL_INTERVAL_MS', () => {
  const base = () => ({
    TANDEM_DATA_DIR: join(mkdtempSync(join(tmpdir(), 'tandem-cfg-')), 'data'),
  });

  it('defaults to a minute, accepts 0 (timer off) and refuses garbage', () => {
    expect(loadConfig(base()).rewardApprovalIntervalMs).toBe(60_000);
    expect(
      loadConfig({ ...base(), REWARD_APPROVAL_INTERVAL_MS: '0' }).rewardApprovalIntervalMs,
    ).toBe(0);
    expect(
      loadConfig({ ...base(), REWARD_APPROVAL_INTERVAL_MS: '5000' }).rewardApprovalIntervalMs,
    ).toBe(5000);
    for (const bad of ['-1', 'soon', '86400001']) {
      expect(() => loadConfig({ ...base(), REWARD_APPROVAL_INTERVAL_MS: bad })).toThrow(
        ConfigError,
      );
    }
  });
});
