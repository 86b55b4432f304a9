import { Injectable } from '@nestjs/common';
import { AppError } from '@/common/errors/app-error';
import { looksLikeId } from '@/common/ids';
import { decodeCursor, toPage } from '@/common/pagination/pagination';
import {
  BalancePageDto,
  BalanceQueryDto,
  toAdvocateBalanceDto,
  toBalanceTotalsDto,
} from '@/modules/payouts/dto/payout-balance.dto';
import {
  AdvocateBalanceRow,
  PayoutBalanceRepository,
} from '@/modules/payouts/payout-balance.repository';

/** The reconciliation view: what each advocate has at each stage, and the brand's totals. */
@Injectable()
export class PayoutBalanceService {
  constructor(private readonly balances: PayoutBalanceRepository) {}

  async list(brandId: string, query: BalanceQueryDto, limit: number): Promise<BalancePageDto> {
    const list = {
      list: 'payout-balances',
      brandId,
      currency: query.currency,
      advocateId: query.advocateId,
    };
    const after = decodeCursor(query.cursor, 'text', list);
    if (after !== undefined && !looksLikeId('advocate', String(after.k))) {
      throw AppError.field('cursor', 'is not a cursor returned by this API');
    }
    if (
      query.advocateId !== undefined &&
      !(
        looksLikeId('advocate', query.advocateId) &&
        (await this.balances.advocateExists(brandId, query.advocateId))
      )
    ) {
      throw AppError.notFound('Advocate', 'advocateId');
    }
    const [rows, totals] = await Promise.all([
      this.balances.listByAdvocate(
        brandId,
        query.currency,
        { advocateId: query.advocateId, afterAdvocateId: after ? String(after.k) : undefined },
        limit,
      ),
      this.balances.totals(brandId, query.currency),
    ]);
    const page = toPage(
      rows,
      limit,
      (r: AdvocateBalanceRow) => ({ k: r.advocate_id, id: r.advocate_id }),
      toAdvocateBalanceDto,
      list,
    );
    return { currency: query.currency, totals: toBalanceTotalsDto(totals), ...page };
  }
}
