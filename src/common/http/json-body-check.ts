/**
 * What JSON.parse accepts but the rest of the service cannot store or walk safely:
 * - a lone UTF-16 surrogate (`"\ud800"`): PostgreSQL's json and text types reject it, so an
 *   event carrying one failed at its insert (a 500);
 * - nesting deeper than MAX_JSON_DEPTH: class-transformer and other recursive walkers overflow
 *   the call stack on a few kilobytes of brackets (a 500).
 * Checked once per body, iteratively (no recursion of its own), before any route sees it.
 */
export const MAX_JSON_DEPTH = 64;

export interface JsonBodyProblem {
  field: string;
  issue: string;
}

// With the u flag, a well-formed surrogate pair is one code point: \p{Cs} matches only lone ones.
const LONE_SURROGATE = /\p{Cs}/u;

export function checkJsonBody(value: unknown): JsonBodyProblem | null {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: '', depth: 0 }];
  while (stack.length > 0) {
    const { value: v, path, depth } = stack.pop()!;
    if (typeof v === 'string') {
      if (LONE_SURROGATE.test(v)) return { field: path || 'body', issue: LONE_SURROGATE_ISSUE };
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH) {
      return { field: path || 'body', issue: `is nested deeper than ${MAX_JSON_DEPTH} levels` };
    }
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) {
        stack.push({ value: v[i], path: `${path}[${i}]`, depth: depth + 1 });
      }
      continue;
    }
    for (const [key, item] of Object.entries(v as Record<string, unknown>)) {
      const field = path ? `${path}.${key}` : key;
      if (LONE_SURROGATE.test(key)) {
        return { field: printable(field), issue: `has a key with ${LONE_SURROGATE_ISSUE}` };
      }
      stack.push({ value: item, path: field, depth: depth + 1 });
    }
  }
  return null;
}

const LONE_SURROGATE_ISSUE = 'an unpaired UTF-16 surrogate (\\uD800–\\uDFFF), which is not text';

/** A field path safe to echo back: lone surrogates written as \u escapes. */
function printable(field: string): string {
  return field.replace(
    /\p{Cs}/gu,
    (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`,
  );
}
