import { Logger } from '@nestjs/common';
import { PeriodicRun } from '@/common/jobs/periodic-run';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('PeriodicRun', () => {
  it('never starts a second timed run while one is in progress, and stop waits for it', async () => {
    let active = 0;
    let most = 0;
    let runs = 0;
    let finished = 0;
    const job = new PeriodicRun(new Logger('test'), 'test run', async () => {
      active += 1;
      runs += 1;
      most = Math.max(most, active);
      await sleep(60);
      active -= 1;
      finished += 1;
      return runs;
    });
    job.start(10);
    await sleep(100);
    await job.stop();
    expect(runs).toBeGreaterThanOrEqual(1);
    expect(most).toBe(1);
    expect(finished).toBe(runs); // stop() returned only after the run in progress ended
    const after = runs;
    await sleep(50);
    expect(runs).toBe(after); // no timer after stop
  });

  it('runs on demand and logs a failed timed run instead of throwing', async () => {
    const errors: unknown[] = [];
    const logger = { error: (...args: unknown[]) => errors.push(args) } as unknown as Logger;
    let calls = 0;
    const job = new PeriodicRun(logger, 'flaky run', () => {
      calls += 1;
      return calls === 1 ? Promise.resolve(1) : Promise.reject(new Error('database away'));
    });
    await expect(job.runNow()).resolves.toBe(1);
    job.start(5);
    for (let waited = 0; calls < 5 && waited < 5000; waited += 10) await sleep(10);
    await job.stop();
    expect(calls).toBeGreaterThan(4);
    // a run failing again and again is logged once (then once a minute), with its count
    expect(errors).toHaveLength(1);
    expect(errors[0]).toEqual([
      { err: expect.objectContaining({ message: 'database away' }), consecutiveFailures: 1 },
      'flaky run failed',
    ]);
  });

  it('says when a failing job works again', async () => {
    const logs: unknown[] = [];
    const logger = {
      error: () => undefined,
      log: (...args: unknown[]) => logs.push(args),
    } as unknown as Logger;
    let calls = 0;
    const job = new PeriodicRun(logger, 'fold', () =>
      ++calls <= 3 ? Promise.reject(new Error('down')) : Promise.resolve(calls),
    );
    job.start(5);
    for (let waited = 0; calls < 5 && waited < 5000; waited += 10) await sleep(10);
    await job.stop();
    expect(logs).toEqual([['fold works again after 3 failed runs']]);
  });

  it('does not start a timer for an interval of 0', async () => {
    let calls = 0;
    const job = new PeriodicRun(new Logger('test'), 'off', () => Promise.resolve((calls += 1)));
    job.start(0);
    await sleep(20);
    await job.stop();
    expect(calls).toBe(0);
  });
});
