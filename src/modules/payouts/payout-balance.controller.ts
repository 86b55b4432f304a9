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
      'the page. Advocates in advocateId order; `limit`/`cursor` page through them. From ' +
      'GET /v1/rewards rows (clawbacks included): pending, held, approvedUnpaid are sums of ' +
      'amount - reversedAmount by status (approvedUnpaid: not clawbacks, no payoutBatchId); ' +
      'inOpenBatches sums payoutAmount of rows with a payoutBatchId not yet paid; paid sums ' +
      'payoutAmount of paid rows; clawbacksOutstanding sums amount of approved clawbacks with no ' +
      'payoutBatchId.',
  })
  @ApiOkResponse({ type: BalancePageDto })
  @ApiErrors([400, 'currency missing or unknown'], [404, 'Unknown advocateId'])
  list(@CurrentBrand() brandId: string, @Query() q: BalanceQueryDto): Promise<BalancePageDto> {
    return this.balances.list(brandId, q, pageLimit(q));
  }
}
