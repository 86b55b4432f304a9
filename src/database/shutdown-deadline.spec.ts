import { armShutdownDeadline } from './shutdown-deadline';

describe('armShutdownDeadline', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('exits after the limit when no drain makes progress', () => {
    const onExpired = jest.fn();
    armShutdownDeadline({ drainProgressedWithin: () => false }, 1_000, onExpired);
    jest.advanceTimersByTime(999);
    expect(onExpired).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(onExpired).toHaveBeenCalledTimes(1);
  });

  it('moves the deadline on while a drain keeps writing, then exits once it stalls', () => {
    const onExpired = jest.fn();
    let progressing = 3;
    armShutdownDeadline(
      { drainProgressedWithin: (ms) => ms === 1_000 && progressing-- > 0 },
      1_000,
      onExpired,
    );
    jest.advanceTimersByTime(3_000);
    expect(onExpired).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1_000);
    expect(onExpired).toHaveBeenCalledTimes(1);
  });
});
