import { Module } from '@nestjs/common';
import { FraudEvidenceRepository } from '@/modules/fraud/fraud-evidence.repository';
import { FraudHoldRepository } from '@/modules/fraud/fraud-hold.repository';
import { FraudRulesController } from '@/modules/fraud/fraud-rules.controller';
import { FraudRulesRepository } from '@/modules/fraud/fraud-rules.repository';
import { FraudRulesService } from '@/modules/fraud/fraud-rules.service';
import { FraudScreen } from '@/modules/fraud/fraud-screen';

/**
 * Fraud rules: their per-program settings (GET/PUT /v1/programs/:id/fraud-rules) and the
 * screening the event transaction runs (FraudScreen). Reviews decide what they hold.
 */
@Module({
  controllers: [FraudRulesController],
  providers: [
    FraudEvidenceRepository,
    FraudHoldRepository,
    FraudRulesRepository,
    FraudRulesService,
    FraudScreen,
  ],
  exports: [FraudScreen],
})
export class FraudModule {}
