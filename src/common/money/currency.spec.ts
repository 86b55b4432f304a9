import { formatMajor, isCurrency, minorDigits } from '@/common/money/currency';

describe('currencies', () => {
  it('knows the real ISO 4217 minor units', () => {
    expect([minorDigits('USD'), minorDigits('JPY'), minorDigits('KWD')]).toEqual([2, 0, 3]);
    expect(isCurrency('EUR')).toBe(true);
    expect(isCurrency('usd')).toBe(false);
    expect(isCurrency('XXX')).toBe(false); // the "no currency" code is not money
  });

  it('formats minor units as exact major-unit decimals', () => {
    expect(formatMajor(1250, 'USD')).toBe('12.50');
    expect(formatMajor(5, 'USD')).toBe('0.05');
    expect(formatMajor(1000, 'JPY')).toBe('1000');
    expect(formatMajor(1005, 'KWD')).toBe('1.005');
    expect(formatMajor(-1250, 'USD')).toBe('-12.50');
    expect(formatMajor('9007199254740993', 'USD')).toBe('90071992547409.93'); // beyond 2^53, still exact
  });
});
