import { AppError } from '@/common/errors/app-error';
import { checkIdempotencyKey, toPayoutBatchRequest } from '@/modules/payouts/payout-batch.service';

describe('payout batch requests', () => {
  it('hash the meaning of the request: the same cutoff in another spelling is the same', () => {
    const a = toPayoutBatchRequest({ currency: 'USD', cutoff: '2026-11-30T23:59:59Z' }, 'k');
    const b = toPayoutBatchRequest(
      { cutoff: '2026-12-01T00:59:59+01:00', currency: 'USD', programId: undefined },
      'k',
    );
    expect(b.requestHash).toBe(a.requestHash);
    expect(a).toMatchObject({ programId: null, minimumAmount: null, idempotencyKey: 'k' });
    const other = toPayoutBatchRequest(
      { currency: 'USD', cutoff: '2026-11-30T23:59:59Z', minimumAmount: 0 },
      'k',
    );
    expect(other.requestHash).not.toBe(a.requestHash);
  });

  it('accept Idempotency-Keys of printable ASCII without spaces', () => {
    expect(checkIdempotencyKey(undefined)).toBeNull();
    expect(checkIdempotencyKey('payout-2026-11_v1')).toBe('payout-2026-11_v1');
    for (const bad of ['', 'a b', 'é', 'x'.repeat(201), 'a\nb']) {
      expect(() => checkIdempotencyKey(bad)).toThrow(AppError);
    }
  });
});
