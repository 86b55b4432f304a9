import { AppError } from '@/common/errors/app-error';
import { decodeCells, mergeUpserts, parseRow, planColumns } from '@/modules/advocates/advocate-csv';

function headerError(header: string[]): AppError {
  try {
    planColumns(header);
  } catch (e) {
    return e as AppError;
  }
  throw new Error('expected the header to be refused');
}

describe('decodeCells', () => {
  it('decodes UTF-8 strictly and names each cell it refuses', () => {
    expect(decodeCells([Buffer.from('Zoë 🎉'), Buffer.from('')], ['name', 'tags'])).toEqual({
      ok: true,
      cells: ['Zoë 🎉', ''],
    });
    const bad = decodeCells(
      [Buffer.from([0x41, 0xc3]), Buffer.from('a\u0000b'), Buffer.from([0xed, 0xa0, 0x80])],
      ['name'],
    );
    expect(bad).toEqual({
      ok: false,
      errors: [
        { field: 'name', issue: 'is not valid UTF-8: save the file as "CSV UTF-8"' },
        { field: 'column 2', issue: 'must not contain a NUL character' },
        { field: 'column 3', issue: 'is not valid UTF-8: save the file as "CSV UTF-8"' },
      ],
    });
  });
});

describe('planColumns', () => {
  it('reads column names case-insensitively, channels and their follower counts included', () => {
    const plan = planColumns(['ExternalID', ' EMAIL ', 'Instagram', 'instagram_followers', 'x']);
    expect(plan.columns.map((c) => c.kind)).toEqual([
      'externalId',
      'email',
      'handle',
      'followers',
      'handle',
    ]);
    expect(plan.channels).toEqual(['instagram', 'x']);
  });

  it('refuses the whole file for an unknown, duplicate or unnamed column, naming it', () => {
    const err = headerError(['externalId', 'email', 'favourite_colour', 'Email', '']);
    expect(err.code).toBe('validation_failed');
    expect(err.details).toEqual([
      { field: 'favourite_colour', issue: 'is not a known column' },
      { field: 'Email', issue: 'appears more than once' },
      { field: 'column 5', issue: 'has no name' },
    ]);
    expect(err.message).toContain('favourite_colour');
  });

  it('needs an externalId column, and a handle column for follower counts', () => {
    expect(headerError(['email', 'name']).details).toEqual([
      { field: 'externalId', issue: 'column is required' },
    ]);
    expect(headerError(['externalId', 'tiktok_followers']).details).toEqual([
      { field: 'tiktok_followers', issue: 'needs the tiktok column' },
    ]);
  });
});

describe('parseRow', () => {
  const plan = planColumns([
    'externalId',
    'email',
    'name',
    'tier',
    'status',
    'tags',
    'instagram',
    'instagram_followers',
    'youtube',
  ]);

  it('turns a full row into an upsert with normalized email, tags and profiles', () => {
    const result = parseRow(plan, [
      ' cust_1 ',
      'Ali.Ce+shop@Gmail.com',
      'Alice',
      'micro',
      'invited',
      'VIP | summer-2026;vip',
      '@alice',
      '12500',
      '',
    ]);
    expect(result).toEqual({
      ok: true,
      upsert: {
        externalId: 'cust_1',
        email: 'Ali.Ce+shop@Gmail.com',
        emailNormalized: 'alice@gmail.com',
        name: 'Alice',
        tier: 'micro',
        status: 'invited',
        tags: ['vip', 'summer-2026'],
        socialProfiles: [{ channel: 'instagram', handle: '@alice', followers: 12500 }],
      },
    });
  });

  it('empty cells clear email, name, tags and profiles but leave tier and status unset', () => {
    const result = parseRow(plan, ['cust_2', '', '', '', '', '', '', '', '']);
    expect(result).toEqual({
      ok: true,
      upsert: {
        externalId: 'cust_2',
        email: null,
        emailNormalized: null,
        name: null,
        tags: [],
        socialProfiles: [],
      },
    });
  });

  it('reports every bad cell under its CSV column', () => {
    const result = parseRow(plan, [
      '',
      'not-an-email',
      'x'.repeat(201),
      'giant',
      'gone',
      'ok|Bad Tag!',
      '@alice',
      '-3',
      '',
    ]);
    expect(result.ok).toBe(false);
    const fields = !result.ok ? result.errors.map((e) => e.field) : [];
    expect(fields.sort()).toEqual(
      ['email', 'externalId', 'instagram_followers', 'name', 'status', 'tags', 'tier'].sort(),
    );
  });

  it('names the followers column of the right channel, and wants a handle beside a count', () => {
    const bad = parseRow(plan, ['c', '', '', '', '', '', '', '', '@yt']);
    expect(bad.ok).toBe(true);
    const count = parseRow(plan, ['c', '', '', '', '', '', '@a', '12k', '@yt']);
    expect(!count.ok && count.errors).toEqual([
      { field: 'instagram_followers', issue: 'must be a whole number' },
    ]);
    const orphan = parseRow(plan, ['c', '', '', '', '', '', '', '5', '']);
    expect(!orphan.ok && orphan.errors).toEqual([
      { field: 'instagram_followers', issue: 'needs a handle in instagram' },
    ]);
  });

  it('refuses a row whose cell count differs from the header', () => {
    const result = parseRow(plan, ['c', 'a@b.co']);
    expect(!result.ok && result.errors).toEqual([
      { field: 'row', issue: 'has 2 cells; the header has 9' },
    ]);
  });
});

describe('mergeUpserts', () => {
  it('lets the later row win, keeping what it leaves unset', () => {
    expect(
      mergeUpserts(
        { externalId: 'c', tier: 'macro', name: 'Old', email: 'a@b.co', emailNormalized: 'a@b.co' },
        { externalId: 'c', name: null, email: 'n@b.co', emailNormalized: 'n@b.co' },
      ),
    ).toEqual({
      externalId: 'c',
      tier: 'macro',
      name: null,
      email: 'n@b.co',
      emailNormalized: 'n@b.co',
    });
  });
});
