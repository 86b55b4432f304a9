import { canonicalJson, requestHash, validateBatchItem } from '@/modules/events/event-input';

describe('event input', () => {
  it('hashes the same content the same whatever the key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}',
    );
    expect(requestHash({ id: 'e1', type: 'signup' })).toBe(
      requestHash({ type: 'signup', id: 'e1' }),
    );
    expect(requestHash({ id: 'e1', type: 'signup' })).not.toBe(
      requestHash({ id: 'e1', type: 'purchase' }),
    );
  });

  const base = {
    id: 'e1',
    type: 'purchase',
    occurredAt: '2026-05-10T12:00:00Z',
    customer: { id: 'c1', email: 'Jane.Doe+shop@GMail.com' },
    order: { id: 'o1', amount: 1000, currency: 'USD' },
    code: ' jane-10 ',
  };

  it('prepares a valid item: code upper-cased, e-mail normalised', async () => {
    const out = await validateBatchItem(base, 3);
    expect(out).toMatchObject({
      event: {
        index: 3,
        code: 'JANE-10',
        customer: { id: 'c1', emailNormalized: 'janedoe@gmail.com', isNew: null },
      },
    });
  });

  it.each<[string, unknown, string]>([
    ['not an object', 'nope', 'body'],
    ['unknown field', { ...base, extra: 1 }, 'extra'],
    ['bad type', { ...base, type: 'sale' }, 'type'],
    ['float amount', { ...base, order: { ...base.order, amount: 10.5 } }, 'order.amount'],
    [
      'lower-case currency',
      { ...base, order: { ...base.order, currency: 'usd' } },
      'order.currency',
    ],
    ['purchase without order', { ...base, order: undefined }, 'order'],
    ['custom without name', { ...base, type: 'custom' }, 'name'],
    ['name on a purchase', { ...base, name: 'x' }, 'name'],
    ['no customer', { ...base, customer: undefined }, 'customer'],
    ['bad e-mail', { ...base, customer: { id: 'c1', email: 'nope' } }, 'customer.email'],
    ['zoneless time', { ...base, occurredAt: '2026-05-10T12:00:00' }, 'occurredAt'],
    ['future time', { ...base, occurredAt: '2999-01-01T00:00:00Z' }, 'occurredAt'],
    ['epoch 0', { ...base, occurredAt: '1970-01-01T00:00:00Z' }, 'occurredAt'],
    [
      'refund of 0',
      { ...base, type: 'refund', order: { ...base.order, amount: 0 } },
      'order.amount',
    ],
    ['metadata not an object', { ...base, metadata: [1] }, 'metadata'],
  ])('refuses %s naming %s', async (_name, item, field) => {
    const out = await validateBatchItem(item, 0);
    expect('issues' in out && out.issues.map((i) => i.field)).toContain(field);
  });
});

describe('the fast path agrees with class-validator', () => {
  const base = {
    id: 'e1',
    type: 'purchase',
    occurredAt: '2026-05-10T12:00:00.123Z',
    customer: { id: 'c1', email: ' Jane@Example.com ', isNew: true },
    order: { id: 'o1', amount: 1000, currency: 'USD' },
    clickId: 'AQGT',
    code: 'abc-1',
    ctaKey: 'ig-story',
  };
  const variants: unknown[] = [
    base,
    { ...base, customer: { id: 'c1' } },
    { ...base, type: 'custom', name: 'trial_started', order: undefined },
    { ...base, customer: { id: 'c1', email: 'nope' } },
    { ...base, customer: { id: 'c1', isNew: 'yes' } },
    { ...base, customer: null },
    { ...base, order: { id: 'o1', amount: 1.5, currency: 'USD' } },
    { ...base, order: { id: 'o1', amount: 10, currency: 'usd' } },
    { ...base, order: { id: 'o1', amount: 10, currency: 'USD', extra: 1 } },
    { ...base, occurredAt: '2026-05-10 12:00' },
    { ...base, id: '' },
    { ...base, id: 'x'.repeat(201) },
    { ...base, code: '   ' },
    { ...base, ctaKey: 'Bad Key' },
    { ...base, clickId: 5 },
    { ...base, metadata: { a: 1 } },
    { ...base, extra: true },
  ];
  it.each(variants.map((v, i) => [i, v]))('variant %s', async (_i, item) => {
    const { fastCheckEvent } = await import('@/modules/events/event-fast-check');
    const { plainToInstance } = await import('class-transformer');
    const { validate } = await import('class-validator');
    const { EventInputDto } = await import('@/modules/events/dto/event-input.dto');
    const fast = fastCheckEvent(item);
    const errors = await validate(plainToInstance(EventInputDto, item), {
      whitelist: true,
      forbidNonWhitelisted: true,
    });
    // the fast path never accepts what class-validator refuses
    if (fast) expect(errors).toEqual([]);
    if (fast) {
      const dto = plainToInstance(EventInputDto, item);
      expect({ code: fast.code, email: fast.customer?.email }).toEqual({
        code: dto.code,
        email: dto.customer?.email,
      });
    }
  });

  it('takes the fast path for the usual shape', async () => {
    const { fastCheckEvent } = await import('@/modules/events/event-fast-check');
    expect(fastCheckEvent(base)).not.toBeNull();
  });
});
