import { loadConfig } from '@/config/env';

describe('GC_HEAP_GROWING_PERCENT', () => {
  const base = { TANDEM_SECRET: 'x'.repeat(40) };

  it('defaults to 50 and takes 0 (V8 heuristics) to 400', () => {
    expect(loadConfig(base).gcHeapGrowingPercent).toBe(50);
    expect(loadConfig({ ...base, GC_HEAP_GROWING_PERCENT: '0' }).gcHeapGrowingPercent).toBe(0);
    expect(loadConfig({ ...base, GC_HEAP_GROWING_PERCENT: '400' }).gcHeapGrowingPercent).toBe(400);
  });

  it.each(['-1', '401', 'half', '1.5'])('refuses %s', (bad) => {
    expect(() => loadConfig({ ...base, GC_HEAP_GROWING_PERCENT: bad })).toThrow(
      /GC_HEAP_GROWING_PERCENT/,
    );
  });
});
