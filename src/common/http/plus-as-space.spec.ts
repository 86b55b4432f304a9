import { plusSentAsSpaceIssue } from '@/common/http/plus-as-space';

const valid = (v: string) => /[+-]\d{2}:?\d{2}$/.test(v) && !Number.isNaN(Date.parse(v));

describe('plusSentAsSpaceIssue', () => {
  it('explains a time whose offset "+" arrived as a space, with the value to send', () => {
    expect(plusSentAsSpaceIssue('2026-11-01T00:00:00 01:00', valid)).toBe(
      'has a space where its offset\'s "+" should be: a "+" sent unescaped in a URL arrives as a ' +
        'space. Send it as %2B (2026-11-01T00:00:00%2B01:00) or give the time in UTC with Z ' +
        '(2026-10-31T23:00:00Z)',
    );
    expect(plusSentAsSpaceIssue('2026-11-01T09:15 05:30', valid)).toContain(
      '(2026-11-01T09:15%2B05:30) or give the time in UTC with Z (2026-11-01T03:45:00Z)',
    );
  });

  it('leaves every other value alone', () => {
    for (const value of [
      '2026-11-01T00:00:00+01:00', // nothing lost
      '2026-11-01T00:00:00', // no offset at all
      '2026-11-01 00:00:00+01:00', // a space elsewhere
      '2026-11-01T00:00:00 1', // not an offset
      '2026-11-01T00:00:00 99:00', // not a valid one either
      'yesterday',
      42,
      undefined,
    ]) {
      expect([value, plusSentAsSpaceIssue(value, valid)]).toEqual([value, undefined]);
    }
  });
});
