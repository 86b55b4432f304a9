import { parseExportArgs, UsageError } from '@/cli/payouts-export';

const BATCH = 'pob_00000000000000000000';

describe('payouts:export arguments', () => {
  it('defaults to the advocates CSV', () => {
    expect(parseExportArgs(['--batch', BATCH, '--out', 'p.csv'])).toEqual({
      batch: BATCH,
      out: 'p.csv',
      format: 'csv',
      detail: 'advocates',
      brand: undefined,
    });
    expect(
      parseExportArgs([
        '--batch',
        BATCH,
        '--out=-',
        '--format',
        'json',
        '--detail',
        'rewards',
        '--brand',
        'brd_00000000000000000000',
      ]),
    ).toMatchObject({ out: '-', format: 'json', detail: 'rewards' });
  });

  it.each([
    [['--out', 'p.csv'], '--batch is required'],
    [['--batch', BATCH], '--out is required'],
    [['--batch', '42', '--out', 'p.csv'], '--batch 42 is not a batch id (pob_…)'],
    [
      ['--batch', BATCH, '--out', 'p.csv', '--format', 'xlsx'],
      '--format must be csv or json, not xlsx',
    ],
    [
      ['--batch', BATCH, '--out', 'p.csv', '--detail', 'all'],
      '--detail must be advocates or rewards, not all',
    ],
    [['--batch', BATCH, '--out', 'p.csv', '--brand', 'acme'], '--brand acme is not a brand id'],
    [['--batch', BATCH, '--out', 'p.csv', '--verbose'], "Unknown option '--verbose'"],
    [['--batch', BATCH, '--out', 'p.csv', 'extra'], 'Unexpected argument'],
    [['--batch'], "Option '--batch <value>' argument missing"],
  ])('%j is a usage error: %s', (argv, message) => {
    expect(() => parseExportArgs(argv)).toThrow(UsageError);
    expect(() => parseExportArgs(argv)).toThrow(message);
  });
});
