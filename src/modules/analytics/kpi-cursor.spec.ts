import { AppError } from '@/common/errors/app-error';
import { decodeBreakdownCursor, encodeBreakdownCursor } from '@/modules/analytics/kpi-cursor';
import { flattenRow, rowsToCsv } from '@/modules/analytics/kpi-csv';

const field = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as AppError).details;
  }
  return null;
};

describe('breakdown cursors', () => {
  it('round-trip, with a null sort value too', () => {
    for (const v of ['12.5', '-0.333333333333', null]) {
      const c = { q: 'advocate:roi:desc', v, k: 'adv_x', r: 50 };
      expect(decodeBreakdownCursor(encodeBreakdownCursor(c), c.q)).toEqual(c);
    }
  });

  it('refuse forged values and another sort', () => {
    const forged = encodeBreakdownCursor({ q: 'a', v: '1; DROP TABLE x', k: 'k', r: 0 });
    expect(field(() => decodeBreakdownCursor(forged, 'a'))).toEqual([
      { field: 'cursor', issue: 'is not a cursor returned by this API' },
    ]);
    expect(field(() => decodeBreakdownCursor('%%%', 'a'))).toMatchObject([{ field: 'cursor' }]);
    // a NUL in the group key reached SQL: a 500
    const nul = encodeBreakdownCursor({ q: 'a', v: null, k: 'adv_\u0000', r: 0 });
    expect(field(() => decodeBreakdownCursor(nul, 'a'))).toMatchObject([{ field: 'cursor' }]);
    const other = encodeBreakdownCursor({ q: 'channel:clicks:desc', v: '1', k: '', r: 1 });
    expect(field(() => decodeBreakdownCursor(other, 'channel:reach:desc'))).toMatchObject([
      { field: 'cursor' },
    ]);
    const period = encodeBreakdownCursor({ q: 'channel:clicks:desc:tagA', v: '1', k: '', r: 1 });
    expect(field(() => decodeBreakdownCursor(period, 'channel:clicks:desc:tagB'))).toEqual([
      {
        field: 'cursor',
        issue:
          'belongs to another program or period: send the from, to and timezone of the page it came from',
      },
    ]);
  });
});

describe('KPI CSV', () => {
  it('flattens nested fields into dotted columns, null as an empty cell', async () => {
    expect(flattenRow({ a: 1, g: { s: 2, w: { r: 0.5 } }, n: null })).toEqual({
      a: 1,
      'g.s': 2,
      'g.w.r': 0.5,
      n: null,
    });
    const csv = await rowsToCsv([
      { name: 'Ben, "B"', roi: null, goal: { score: 1.5 } },
      { name: 'Anna', roi: -1, goal: { score: 0 } },
    ]);
    expect(csv).toBe('name,roi,goal.score\r\n"Ben, ""B""",,1.5\r\nAnna,-1,0\r\n');
  });

  it('escapes text cells a spreadsheet would run as formulas, never numbers', async () => {
    const csv = await rowsToCsv([
      { name: '=HYPERLINK("x")', key: '-k', label: '@a', roi: -0.5, n: '+1' },
      { name: 'a=b', key: 'k-', label: 'x@', roi: -1, n: null },
    ]);
    expect(csv).toBe(
      `name,key,label,roi,n\r\n"'=HYPERLINK(""x"")",'-k,'@a,-0.5,'+1\r\na=b,k-,x@,-1,\r\n`,
    );
  });
});
