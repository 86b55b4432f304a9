/**
 * What JSON.parse accepts but the rest of the service cannot store or walk safely:
 * - a lone UTF-16 surrogate (`"\ud800"`): PostgreSQL's json and text types reject it, so an
 *   event carrying one failed at its insert (a 500);
 * - nesting deeper than MAX_JSON_DEPTH: class-transformer and other recursive walkers overflow
 *   the call stack on a few kilobytes of brackets (a 500).
 * Checked once per body (event batches included: it is on the intake path), iteratively, with
 * no recursion of its own. A field's path is only spelled out for the problem it reports.
 */
export const MAX_JSON_DEPTH = 64;

export interface JsonBodyProblem {
  field: string;
  issue: string;
}

// With the u flag, a well-formed surrogate pair is one code point: \p{Cs} matches only lone ones.
const LONE_SURROGATE = /\p{Cs}/u;
const LONE_SURROGATE_ISSUE = 'an unpaired UTF-16 surrogate (\\uD800–\\uDFFF), which is not text';

/** A value to look at, and where it sits: its key in its parent (null for the body itself). */
interface Frame {
  value: unknown;
  depth: number;
  parent: Frame | null;
  key: string | number | null;
}

export function checkJsonBody(value: unknown): JsonBodyProblem | null {
  const stack: Frame[] = [{ value, depth: 0, parent: null, key: null }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    const v = frame.value;
    if (typeof v === 'string') {
      if (LONE_SURROGATE.test(v)) return { field: pathOf(frame), issue: LONE_SURROGATE_ISSUE };
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (frame.depth >= MAX_JSON_DEPTH) {
      return { field: pathOf(frame), issue: `is nested deeper than ${MAX_JSON_DEPTH} levels` };
    }
    const depth = frame.depth + 1;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) {
        stack.push({ value: v[i], depth, parent: frame, key: i });
      }
      continue;
    }
    for (const key of Object.keys(v)) {
      const child: Frame = {
        value: (v as Record<string, unknown>)[key],
        depth,
        parent: frame,
        key,
      };
      if (LONE_SURROGATE.test(key)) {
        return { field: pathOf(child), issue: `has a key with ${LONE_SURROGATE_ISSUE}` };
      }
      stack.push(child);
    }
  }
  return null;
}

/** `events[3].metadata.note`, lone surrogates written as \u escapes; `body` for the body. */
function pathOf(frame: Frame): string {
  const keys: (string | number)[] = [];
  for (let f: Frame | null = frame; f !== null && f.key !== null; f = f.parent) keys.push(f.key);
  let path = '';
  for (let i = keys.length - 1; i >= 0; i--) {
    const key = keys[i]!;
    path += typeof key === 'number' ? `[${key}]` : path === '' ? key : `.${key}`;
  }
  return path === ''
    ? 'body'
    : path.replace(
        /\p{Cs}/gu,
        (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`,
      );
}
