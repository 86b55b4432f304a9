import { Module } from '@nestjs/common';
import { EnrollmentsModule } from '@/modules/enrollments/enrollments.module';
import { TrackingModule } from '@/modules/tracking/tracking.module';
import { CtaLifecycle } from '@/modules/programs/cta-lifecycle';
import { CtaController } from '@/modules/programs/cta.controller';
import { CtaRepository } from '@/modules/programs/cta.repository';
import { CtaService } from '@/modules/programs/cta.service';
import { ProgramController } from '@/modules/programs/program.controller';
import { ProgramRepository } from '@/modules/programs/program.repository';
import { ProgramService } from '@/modules/programs/program.service';
import { RewardRuleController } from '@/modules/programs/reward-rule.controller';
import { RewardRuleRepository } from '@/modules/programs/reward-rule.repository';
import { RewardRuleService } from '@/modules/programs/reward-rule.service';

@Module({
  imports: [EnrollmentsModule, TrackingModule],
  controllers: [ProgramController, CtaController, RewardRuleController],
  providers: [
    ProgramRepository,
    CtaRepository,
    RewardRuleRepository,
    CtaLifecycle,
    ProgramService,
    CtaService,
    RewardRuleService,
  ],
  exports: [ProgramService, CtaService, CtaLifecycle],
})
export class ProgramsModule {}
