import { Module } from '@nestjs/common';
import { AttributionRepository } from '@/modules/attribution/attribution.repository';

@Module({
  providers: [AttributionRepository],
  exports: [AttributionRepository],
})
export class AttributionModule {}
