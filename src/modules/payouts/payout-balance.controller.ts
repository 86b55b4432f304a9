import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentBrand } from '@/common/auth/principal';
import { RequireScopes } from '@/common/auth/scopes.decorator';
import { ApiErrors } from '@/common/errors/api-errors.decorator';
import { pageLimit } from '@/common/pagination/pagination';
import { BalancePageDto, BalanceQueryDto } from '@/modules/payouts/dto/payout-balance.dto';
import { PayoutBalanceService } from '@/modules/payouts/payout-balance.service';

@ApiTags('Payouts')
@Controller('v1/payouts')
@RequireScopes('finance')
export class PayoutBalanceController {
  constructor(private readonly balances: PayoutBalanceService) {}

  @Get('balances')
  @ApiOperation({
    summary: 'Reconciliation: balances per advocate and totals, in one currency',
    description:
      'For advocate rewards that are paid out (cash, credit, gift_card): pending, held, ' +
      'approvedUnpaid (approved, in no batch), inOpenBatches (lines of created/exported ' +
      'batches), paid (lines of paid batches) and clawbacksOutstanding (approved clawbacks in no ' +
      'batch, negative), signed minor units. `totals` sums every advocate of the brand, not only ' +
      'the page. Advocates in advocateId order; `limit`/`cursor` page through them.',
  })
  @ApiOkResponse({ type: BalancePageDto })
  @ApiErrors([400, 'currency missing or unknown'], [404, 'Unknown advocateId'])
  list(@CurrentBrand() brandId: string, @Query() q: BalanceQueryDto): Promise<BalancePageDto> {
    return this.balances.list(brandId, q, pageLimit(q));
  }
}
