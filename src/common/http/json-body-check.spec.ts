import { checkJsonBody, MAX_JSON_DEPTH } from '@/common/http/json-body-check';

const nested = (levels: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < levels; i++) v = [v];
  return v;
};

describe('checkJsonBody', () => {
  it('accepts ordinary bodies, surrogate pairs included', () => {
    expect(checkJsonBody({ a: [1, 'x', null, { b: '😀 \ud83d\ude00' }] })).toBeNull();
    expect(checkJsonBody('text')).toBeNull();
    expect(checkJsonBody(null)).toBeNull();
  });

  it('names the field holding a lone surrogate, in a value or in a key', () => {
    expect(checkJsonBody({ customer: { id: 'c\ud800' } })?.field).toBe('customer.id');
    expect(checkJsonBody({ events: [{}, { id: '\udc00x' }] })?.field).toBe('events[1].id');
    expect(checkJsonBody({ metadata: { ['k\ud800']: 1 } })).toEqual({
      field: 'metadata.k\\uD800',
      issue: expect.stringContaining('has a key with an unpaired UTF-16 surrogate'),
    });
    expect(checkJsonBody('\ud800')?.field).toBe('body');
  });

  it(`allows ${MAX_JSON_DEPTH} levels of nesting and refuses one more`, () => {
    expect(checkJsonBody({ a: nested(MAX_JSON_DEPTH - 1) })).toBeNull();
    const problem = checkJsonBody({ a: nested(MAX_JSON_DEPTH) });
    expect(problem?.issue).toBe(`is nested deeper than ${MAX_JSON_DEPTH} levels`);
    expect(problem?.field).toBe(`a${'[0]'.repeat(MAX_JSON_DEPTH - 1)}`);
  });

  it('walks 100,000 levels without recursion', () => {
    expect(checkJsonBody(nested(100_000))?.issue).toMatch(/nested deeper/);
  });
});
