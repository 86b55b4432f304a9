import { Module } from '@nestjs/common';
import { PayoutBalanceController } from '@/modules/payouts/payout-balance.controller';
import { PayoutBalanceRepository } from '@/modules/payouts/payout-balance.repository';
import { PayoutBalanceService } from '@/modules/payouts/payout-balance.service';
import { PayoutBatchLifecycleService } from '@/modules/payouts/payout-batch-lifecycle.service';
import { PayoutBatchController } from '@/modules/payouts/payout-batch.controller';
import { PayoutBatchRepository } from '@/modules/payouts/payout-batch.repository';
import { PayoutBatchService } from '@/modules/payouts/payout-batch.service';
import { PayoutExportRepository } from '@/modules/payouts/payout-export.repository';
import { PayoutExportService } from '@/modules/payouts/payout-export.service';
import { PayoutLedgerRepository } from '@/modules/payouts/payout-ledger.repository';

/** Payout batches (create, export, mark paid, cancel) and the reconciliation balances. */
@Module({
  controllers: [PayoutBatchController, PayoutBalanceController],
  providers: [
    PayoutBatchRepository,
    PayoutLedgerRepository,
    PayoutExportRepository,
    PayoutBalanceRepository,
    PayoutBatchService,
    PayoutBatchLifecycleService,
    PayoutExportService,
    PayoutBalanceService,
  ],
  exports: [PayoutBatchService, PayoutBatchLifecycleService],
})
export class PayoutsModule {}
