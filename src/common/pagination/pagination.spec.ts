import { decodeCursor, encodeCursor, listTag } from '@/common/pagination/pagination';

describe('decodeCursor', () => {
  it('accepts the timestamp keys our lists write', () => {
    for (const k of [
      '2026-11-23 14:00:00.123456+00',
      '2026-11-23T14:00:00.123Z',
      '2026-11-23 14:00:00+05:30',
      '2024-02-29 00:00:00+00',
      '0001-01-01 00:00:00+00',
      '2026-01-01 00:00:00-15:59',
    ]) {
      expect(decodeCursor(encodeCursor({ k, id: 'rwd_abc' }))).toEqual({ k, id: 'rwd_abc' });
    }
  });

  it('refuses anything else with a field error on cursor', () => {
    const bad = [
      encodeCursor({ k: 'yesterday', id: 'rwd_abc' }),
      encodeCursor({ k: '2026-13-45 99:00:00+00', id: 'rwd_abc' }),
      // Date.parse takes these, PostgreSQL refuses them (a failed cast was a 500)
      encodeCursor({ k: '2026-02-30 00:00:00+00', id: 'rwd_abc' }),
      encodeCursor({ k: '2026-04-31T00:00:00.000Z', id: 'rwd_abc' }),
      encodeCursor({ k: '0000-01-01 00:00:00+00', id: 'rwd_abc' }),
      encodeCursor({ k: '2026-01-01 00:00:00+16:00', id: 'rwd_abc' }),
      encodeCursor({ k: '2026-11-23T14:00:00.123Z', id: 'not an id' }),
      'not-base64-json',
    ];
    for (const cursor of bad) {
      expect(() => decodeCursor(cursor)).toThrow(
        expect.objectContaining({ code: 'validation_failed' }),
      );
    }
  });

  it('refuses a text key with a control character (a NUL reached SQL: a 500)', () => {
    expect(() =>
      decodeCursor(encodeCursor({ k: 'name.asc:\u0000', id: 'adv_abc' }), 'text'),
    ).toThrow(expect.objectContaining({ code: 'validation_failed' }));
  });

  it('leaves text keys to the caller', () => {
    expect(decodeCursor(encodeCursor({ k: 'name.asc:Jane', id: 'adv_abc' }), 'text')?.k).toBe(
      'name.asc:Jane',
    );
  });
});

describe('cursors bound to their list', () => {
  const position = { k: '2026-11-23T14:00:00.123Z', id: 'rwd_abc' };
  const list = {
    list: 'rewards',
    brandId: 'brd_a',
    status: 'pending',
    from: new Date('2026-11-01T00:00:00Z'),
  };

  it('identify a list by its name and filters, whatever their order, not by limit or cursor', () => {
    expect(
      listTag({
        from: new Date('2026-11-01T00:00:00Z'),
        status: 'pending',
        brandId: 'brd_a',
        list: 'rewards',
      }),
    ).toBe(listTag(list));
    expect(listTag({ ...list, limit: 5, cursor: 'x', advocateId: undefined })).toBe(listTag(list));
    expect(listTag({ ...list, status: 'approved' })).not.toBe(listTag(list));
    expect(listTag({ ...list, list: 'reviews' })).not.toBe(listTag(list));
    expect(listTag({ ...list, brandId: 'brd_b' })).not.toBe(listTag(list));
  });

  it('decode for their own list only', () => {
    const cursor = encodeCursor(position, list);
    expect(decodeCursor(cursor, 'timestamp', list)).toEqual(position);
    for (const other of [
      { ...list, status: 'approved' },
      { list: 'rewards', brandId: 'brd_a' },
      { ...list, brandId: 'brd_b' },
    ]) {
      expect(() => decodeCursor(cursor, 'timestamp', other)).toThrow(
        expect.objectContaining({
          details: [
            expect.objectContaining({
              field: 'cursor',
              issue: expect.stringMatching(/^belongs to another list/),
            }),
          ],
        }),
      );
    }
    // an unbound cursor (as written before lists were bound) is refused by a bound list
    expect(() => decodeCursor(encodeCursor(position), 'timestamp', list)).toThrow();
  });
});
