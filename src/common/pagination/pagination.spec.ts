import { decodeCursor, encodeCursor } from '@/common/pagination/pagination';

describe('decodeCursor', () => {
  it('accepts the timestamp keys our lists write', () => {
    for (const k of [
      '2026-11-23 14:00:00.123456+00',
      '2026-11-23T14:00:00.123Z',
      '2026-11-23 14:00:00+05:30',
    ]) {
      expect(decodeCursor(encodeCursor({ k, id: 'rwd_abc' }))).toEqual({ k, id: 'rwd_abc' });
    }
  });

  it('refuses anything else with a field error on cursor', () => {
    const bad = [
      encodeCursor({ k: 'yesterday', id: 'rwd_abc' }),
      encodeCursor({ k: '2026-13-45 99:00:00+00', id: 'rwd_abc' }),
      encodeCursor({ k: '2026-11-23T14:00:00.123Z', id: 'not an id' }),
      'not-base64-json',
    ];
    for (const cursor of bad) {
      expect(() => decodeCursor(cursor)).toThrow(
        expect.objectContaining({ code: 'validation_failed' }),
      );
    }
  });

  it('leaves text keys to the caller', () => {
    expect(decodeCursor(encodeCursor({ k: 'name.asc:Jane', id: 'adv_abc' }), 'text')?.k).toBe(
      'name.asc:Jane',
    );
  });
});
