import {
  CODE_ALPHABET,
  generateCode,
  generateSlug,
  normalizeCode,
  VANITY_CODE,
} from '@/modules/enrollments/referral-code';

describe('referral codes', () => {
  it('generates 8 unambiguous upper-case characters', () => {
    for (let i = 0; i < 1000; i++) {
      const code = generateCode();
      expect(code).toMatch(/^[A-Z2-9]{8}$/);
      expect(code).not.toMatch(/[01OIL]/);
    }
    expect(CODE_ALPHABET).not.toMatch(/[01OIL]/);
  });

  it('normalises typed codes case-insensitively', () => {
    expect(normalizeCode('  summer-jane ')).toBe('SUMMER-JANE');
  });

  it('accepts vanity codes of 4-32 letters, digits and dashes', () => {
    expect(VANITY_CODE.test('JANE')).toBe(true);
    expect(VANITY_CODE.test('SUMMER-2026-JANE')).toBe(true);
    expect(VANITY_CODE.test('JAN')).toBe(false);
    expect(VANITY_CODE.test('JANE_DOE')).toBe(false);
    expect(VANITY_CODE.test('A'.repeat(33))).toBe(false);
  });

  it('generates URL-safe slugs', () => {
    expect(generateSlug()).toMatch(/^[0-9A-Za-z]{10}$/);
  });
});
