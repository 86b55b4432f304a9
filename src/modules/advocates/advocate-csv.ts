import { normalizeEmail } from '@/common/email/normalize-email';
import { AppError, ErrorDetail } from '@/common/errors/app-error';
import { assertUnreachable } from '@/common/errors/error-status';
import type { AdvocateUpsert } from '@/modules/advocates/advocate-import.repository';
import { validateAdvocateInput } from '@/modules/advocates/advocate-input.validation';
import { toSocialProfiles } from '@/modules/advocates/dto/advocate-input.dto';
import { CHANNELS, type Channel } from '@/modules/programs/cta.entity';

/** Pure CSV rules of the import: which columns exist, and a row → a validated upsert. */

const FIELD_COLUMNS = ['externalId', 'email', 'name', 'tier', 'status', 'tags'] as const;
type FieldColumn = (typeof FIELD_COLUMNS)[number];

export type CsvColumn =
  | { kind: FieldColumn }
  | { kind: 'handle'; channel: Channel }
  | { kind: 'followers'; channel: Channel };

export interface CsvPlan {
  columns: CsvColumn[];
  /** Channels with a handle column, in file order: the profiles an import replaces. */
  channels: Channel[];
}

// `email` is the advocate's e-mail, so the e-mail channel has no handle column.
const SOCIAL_CHANNELS = CHANNELS.filter((c) => !FIELD_COLUMNS.some((f) => f.toLowerCase() === c));

const KNOWN = new Map<string, CsvColumn>([
  ...FIELD_COLUMNS.map((kind) => [kind.toLowerCase(), { kind }] as const),
  ...SOCIAL_CHANNELS.map((channel) => [channel, { kind: 'handle', channel }] as const),
  ...SOCIAL_CHANNELS.map(
    (channel) => [`${channel}_followers`, { kind: 'followers', channel }] as const,
  ),
]);

const TAG_SEPARATORS = /[|;]/;
const INTEGER = /^-?\d{1,16}$/;

/** The header row → the column plan; every problem of the header at once, as a 400. */
export function planColumns(header: string[]): CsvPlan {
  const problems: ErrorDetail[] = [];
  const columns: CsvColumn[] = [];
  const seen = new Set<string>();
  header.forEach((cell, index) => {
    const name = cell.trim();
    const key = name.toLowerCase();
    const column = KNOWN.get(key);
    if (!name) problems.push({ field: `column ${index + 1}`, issue: 'has no name' });
    else if (!column) problems.push({ field: name, issue: 'is not a known column' });
    else if (seen.has(key)) problems.push({ field: name, issue: 'appears more than once' });
    seen.add(key);
    if (column) columns.push(column);
  });
  if (!seen.has('externalid')) problems.push({ field: 'externalId', issue: 'column is required' });
  for (const column of columns) {
    if (column.kind === 'followers' && !seen.has(column.channel)) {
      problems.push({
        field: `${column.channel}_followers`,
        issue: `needs the ${column.channel} column`,
      });
    }
  }
  if (problems.length > 0) {
    throw AppError.validation(
      problems,
      `The CSV header is invalid: ${problems.map((p) => `${p.field} ${p.issue}`).join('; ')}. ` +
        `Columns: externalId, email, name, tier, status, tags, <channel> and <channel>_followers ` +
        `for the channels ${SOCIAL_CHANNELS.join(', ')}.`,
    );
  }
  const channels = columns.flatMap((c) => (c.kind === 'handle' ? [c.channel] : []));
  return { columns, channels };
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The cells of one record as text, or what is wrong with each cell that cannot be: bytes that
 * are not UTF-8 (a spreadsheet's "CSV" in Windows-1252, say), or a NUL character, which
 * PostgreSQL cannot store. The JSON API refuses both; so does the import, cell by cell, instead
 * of storing U+FFFD in their place. `names` are the header's, for the error's field.
 */
export function decodeCells(
  raw: Buffer[],
  names: string[] = [],
): { ok: true; cells: string[] } | { ok: false; errors: ErrorDetail[] } {
  const cells: string[] = [];
  const errors: ErrorDetail[] = [];
  raw.forEach((bytes, i) => {
    const field = names[i]?.trim() || `column ${i + 1}`;
    let text: string;
    try {
      text = UTF8.decode(bytes);
    } catch {
      errors.push({ field, issue: 'is not valid UTF-8: save the file as "CSV UTF-8"' });
      return;
    }
    if (text.includes('\u0000')) errors.push({ field, issue: 'must not contain a NUL character' });
    cells.push(text);
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, cells };
}

export type RowResult = { ok: true; upsert: AdvocateUpsert } | { ok: false; errors: ErrorDetail[] };

/**
 * One data row → the advocate upsert, validated by the JSON API's own DTO rules. An empty cell
 * clears email, name, tags and that channel's profile; an empty tier or status leaves the
 * stored value (a new advocate gets the default), so an import never un-bans by accident.
 */
export function parseRow(plan: CsvPlan, cells: string[]): RowResult {
  if (cells.length !== plan.columns.length) {
    return {
      ok: false,
      errors: [
        {
          field: 'row',
          issue: `has ${cells.length} cells; the header has ${plan.columns.length}`,
        },
      ],
    };
  }
  const input: Record<string, unknown> = {};
  const handles = new Map<Channel, string>();
  const followers = new Map<Channel, string>();
  plan.columns.forEach((column, i) => {
    const value = cells[i]!.trim();
    switch (column.kind) {
      case 'externalId':
        if (value) input.externalId = value;
        break;
      case 'email':
      case 'name':
        input[column.kind] = value || null;
        break;
      case 'tier':
      case 'status':
        if (value) input[column.kind] = value;
        break;
      case 'tags':
        input.tags = value
          .split(TAG_SEPARATORS)
          .map((t) => t.trim())
          .filter(Boolean);
        break;
      case 'handle':
        if (value) handles.set(column.channel, value);
        break;
      case 'followers':
        if (value) followers.set(column.channel, value);
        break;
      default:
        assertUnreachable(column);
    }
  });

  const errors: ErrorDetail[] = [];
  const profileChannels: Channel[] = [];
  if (plan.channels.length > 0) {
    input.socialProfiles = plan.channels.flatMap((channel) => {
      const handle = handles.get(channel);
      const count = followers.get(channel);
      if (!handle) {
        if (count !== undefined) {
          errors.push({ field: `${channel}_followers`, issue: `needs a handle in ${channel}` });
        }
        return [];
      }
      if (count !== undefined && !INTEGER.test(count)) {
        errors.push({ field: `${channel}_followers`, issue: 'must be a whole number' });
        return [];
      }
      profileChannels.push(channel);
      return [
        count === undefined ? { channel, handle } : { channel, handle, followers: Number(count) },
      ];
    });
  }

  const checked = validateAdvocateInput(input);
  if (!checked.ok) {
    for (const detail of checked.errors) {
      errors.push({ field: columnOf(detail.field, profileChannels), issue: detail.issue });
    }
  }
  if (!checked.ok || errors.length > 0) return { ok: false, errors };
  const { dto } = checked;

  const upsert: AdvocateUpsert = { externalId: dto.externalId };
  if ('email' in input) {
    upsert.email = dto.email ?? null;
    upsert.emailNormalized = upsert.email === null ? null : normalizeEmail(upsert.email);
  }
  if ('name' in input) upsert.name = dto.name ?? null;
  if (dto.tier !== undefined) upsert.tier = dto.tier;
  if (dto.status !== undefined) upsert.status = dto.status;
  if (dto.tags !== undefined) upsert.tags = dto.tags;
  if (dto.socialProfiles !== undefined)
    upsert.socialProfiles = toSocialProfiles(dto.socialProfiles);
  return { ok: true, upsert };
}

/** A later row of the same externalId wins; what it leaves unset keeps the earlier row's value. */
export function mergeUpserts(earlier: AdvocateUpsert, later: AdvocateUpsert): AdvocateUpsert {
  const merged: AdvocateUpsert = { ...earlier };
  for (const [key, value] of Object.entries(later)) {
    if (value !== undefined) (merged as unknown as Record<string, unknown>)[key] = value;
  }
  return merged;
}

/** A DTO path (`socialProfiles[1].followers`) → the CSV column the user can fix. */
function columnOf(field: string, profileChannels: Channel[]): string {
  const profile = /^socialProfiles\[(\d+)\](?:\.(\w+))?/.exec(field);
  if (profile) {
    const channel = profileChannels[Number(profile[1])];
    if (!channel) return 'socialProfiles';
    return profile[2] === 'followers' ? `${channel}_followers` : channel;
  }
  if (field.startsWith('tags')) return 'tags';
  return field;
}
