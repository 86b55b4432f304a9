import { stringify } from 'csv-stringify';
import {
  AdvocateLineRow,
  columnNames,
  csvField,
  csvHeader,
  exportFileName,
  formatPage,
  RewardLineRow,
} from '@/modules/payouts/payout-export-format';

const advocate = (over: Partial<AdvocateLineRow> = {}): AdvocateLineRow => ({
  advocate_id: 'adv_00000000000000000001',
  external_id: 'cust_1',
  email: 'a@example.com',
  name: 'Alice',
  amount: '1250',
  reward_count: 2,
  clawback_amount: '-430',
  period_start: '2026-11-01T10:00:00.000Z',
  period_end: '2026-11-20T10:00:00.000Z',
  ...over,
});

const reward = (over: Partial<RewardLineRow> = {}): RewardLineRow => ({
  reward_id: 'rwd_00000000000000000001',
  advocate_id: 'adv_00000000000000000001',
  amount: '-430',
  event_id: 'evt_00000000000000000001',
  order_id: '=cmd|calc',
  program_id: 'prg_00000000000000000001',
  cta_key: null,
  channel: null,
  kind: 'cash',
  recipient: 'advocate',
  earned_at: '2026-11-01T10:00:00.000Z',
  approved_at: null,
  clawback_of: 'rwd_00000000000000000002',
  ...over,
});

const ctx = { batchId: 'pob_00000000000000000001', currency: 'USD' };

describe('csvField', () => {
  const tricky = ['plain', '', 'a,b', 'say "hi"', '"', ' spaced ', 'crlf\r\ninside', 'é€😀'];

  it('quotes like csv-stringify, the reference RFC 4180 writer', async () => {
    const expected = await new Promise<string>((resolve, reject) =>
      stringify([tricky], { record_delimiter: 'windows' }, (err, out) =>
        err ? reject(err) : resolve(out),
      ),
    );
    expect(`${tricky.map(csvField).join(',')}\r\n`).toBe(expected);
  });

  it('also quotes a bare LF or CR, which csv-stringify leaves bare in CRLF mode', () => {
    // most readers (Excel, Python's csv) would take that LF for the end of the record
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
  });
});

describe('formatPage', () => {
  it('writes RFC 4180 records: CRLF, quotes only when needed, doubled quotes', () => {
    const out = formatPage(
      'advocates',
      'csv',
      [advocate({ name: 'Dupont, "Jo"\nline 2', email: null })],
      ctx,
    );
    expect(out).toBe(
      'pob_00000000000000000001,adv_00000000000000000001,cust_1,,"Dupont, ""Jo""\nline 2",USD,' +
        '12.50,1250,2,-4.30,2026-11-01T10:00:00.000Z,2026-11-20T10:00:00.000Z\r\n',
    );
  });

  it('escapes text cells but never the amounts', () => {
    const out = formatPage('rewards', 'csv', [reward({ cta_key: '+ig', channel: '@x' })], {
      batchId: 'pob_00000000000000000001',
      currency: 'KWD',
    });
    const cells = out.trimEnd().split(',');
    expect(cells[4]).toBe("'=cmd|calc");
    expect(cells[6]).toBe("'+ig");
    expect(cells[7]).toBe("'@x");
    expect(cells[10]).toBe('-0.430');
    expect(cells[11]).toBe('-430');
    expect(cells[14]).toBe(''); // approvedAt null
  });

  it('writes NDJSON with numbers for minor units and decimal strings for amounts', () => {
    const out = formatPage('advocates', 'json', [advocate(), advocate({ amount: '7' })], {
      batchId: 'pob_00000000000000000001',
      currency: 'JPY',
    });
    const lines = out.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    expect(JSON.parse(lines[0]!)).toEqual({
      batchId: 'pob_00000000000000000001',
      advocateId: 'adv_00000000000000000001',
      advocateExternalId: 'cust_1',
      email: 'a@example.com',
      name: 'Alice',
      currency: 'JPY',
      amount: '1250',
      amountMinor: 1250,
      rewardCount: 2,
      clawbackAmount: '-430',
      periodStart: '2026-11-01T10:00:00.000Z',
      periodEnd: '2026-11-20T10:00:00.000Z',
    });
    expect(JSON.parse(lines[1]!).amountMinor).toBe(7);
  });

  it('an empty page is empty', () => {
    expect(formatPage('rewards', 'csv', [], ctx)).toBe('');
    expect(formatPage('rewards', 'json', [], ctx)).toBe('');
  });
});

describe('headers and file names', () => {
  it('the CSV header is the column list', () => {
    expect(csvHeader('advocates')).toBe(`${columnNames('advocates').join(',')}\r\n`);
    expect(columnNames('rewards')[0]).toBe('rewardId');
  });

  it('names the file after the batch and detail', () => {
    expect(exportFileName('pob_1', 'rewards', 'json')).toBe('payout-batch-pob_1-rewards.ndjson');
    expect(exportFileName('pob_1', 'advocates', 'csv')).toBe('payout-batch-pob_1-advocates.csv');
  });
});
