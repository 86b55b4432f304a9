import { RepeatVisits } from '@/modules/tracking/repeat-visits';

describe('repeat visits', () => {
  const minute = 60_000;

  it('counts the same visitor on the same link within the window as a repeat', () => {
    const visits = new RepeatVisits(30 * minute);
    expect(visits.visit('lnk_a', 'v1', 0)).toBe(true);
    expect(visits.visit('lnk_a', 'v1', 10 * minute)).toBe(false);
    expect(visits.visit('lnk_b', 'v1', 10 * minute)).toBe(true);
    expect(visits.visit('lnk_a', 'v2', 10 * minute)).toBe(true);
    // the window runs from the previous click
    expect(visits.visit('lnk_a', 'v1', 39 * minute)).toBe(false);
    expect(visits.visit('lnk_a', 'v1', 69 * minute)).toBe(true);
  });

  it('counts a second click in the same millisecond as a first visit (a repeat is always later)', () => {
    const visits = new RepeatVisits(30 * minute);
    expect(visits.visit('lnk_a', 'v1', 5)).toBe(true);
    expect(visits.visit('lnk_a', 'v1', 5)).toBe(true);
    expect(visits.visit('lnk_a', 'v1', 6)).toBe(false);
  });

  it('stays bounded under a flood of distinct visitors', () => {
    const visits = new RepeatVisits(30 * minute);
    for (let i = 0; i < 500_000; i++) visits.visit('lnk_a', `v${i}`, i);
    expect(visits.size).toBeLessThanOrEqual(200_000);
    expect(visits.visit('lnk_a', 'v499999', 500_000)).toBe(false);
  });

  it('treats every click as a first visit when the window is 0', () => {
    const visits = new RepeatVisits(0);
    expect(visits.visit('lnk_a', 'v1', 0)).toBe(true);
    expect(visits.visit('lnk_a', 'v1', 1)).toBe(true);
  });
});
