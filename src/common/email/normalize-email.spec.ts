import { normalizeEmail } from '@/common/email/normalize-email';

describe('normalizeEmail', () => {
  it('lower-cases and trims', () => {
    expect(normalizeEmail('  Alice.Smith@Example.COM ')).toBe('alice.smith@example.com');
  });

  it('drops a +tag suffix on every domain', () => {
    expect(normalizeEmail('alice+shop@example.com')).toBe('alice@example.com');
    expect(normalizeEmail('alice+a+b@example.com')).toBe('alice@example.com');
  });

  it('keeps dots outside Gmail: they are significant there', () => {
    expect(normalizeEmail('a.l.i.c.e@outlook.com')).toBe('a.l.i.c.e@outlook.com');
  });

  it('removes dots and tags for gmail.com and maps googlemail.com to gmail.com', () => {
    expect(normalizeEmail('Ali.Ce+promo@gmail.com')).toBe('alice@gmail.com');
    expect(normalizeEmail('a.lice@GoogleMail.com')).toBe('alice@gmail.com');
    expect(normalizeEmail('alice@gmail.com')).toBe(normalizeEmail('A.L.I.C.E+x@googlemail.com'));
  });

  it('does not treat look-alike domains as Gmail', () => {
    expect(normalizeEmail('a.b@gmail.com.evil.io')).toBe('a.b@gmail.com.evil.io');
    expect(normalizeEmail('a.b@mail.gmail.com')).toBe('a.b@mail.gmail.com');
  });

  it('uses the last @ and leaves odd input recognisable instead of emptying it', () => {
    expect(normalizeEmail('"a@b"@example.com')).toBe('"a@b"@example.com');
    expect(normalizeEmail('+tag@example.com')).toBe('+tag@example.com');
    expect(normalizeEmail('not-an-email')).toBe('not-an-email');
    expect(normalizeEmail('trailing@')).toBe('trailing@');
    expect(normalizeEmail('...@gmail.com')).toBe('...@gmail.com');
  });
});
