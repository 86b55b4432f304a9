import { textArray } from '@/modules/tracking/click.repository';

describe('text[] literal', () => {
  it('quotes every element, escapes quotes and backslashes, and writes NULL for null', () => {
    expect(textArray(['a', 'b c', null, 'x"y\\z', '{,}', ''], (v) => v)).toBe(
      '{"a","b c",NULL,"x\\"y\\\\z","{,}",""}',
    );
  });
});
