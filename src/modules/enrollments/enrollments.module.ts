import { Module } from '@nestjs/common';
import { EnrollmentController } from '@/modules/enrollments/enrollment.controller';
import { EnrollmentRepository } from '@/modules/enrollments/enrollment.repository';
import { EnrollmentService } from '@/modules/enrollments/enrollment.service';
import { LinkStatsReader } from '@/modules/enrollments/link-stats.reader';
import { LinkService } from '@/modules/enrollments/link.service';

@Module({
  controllers: [EnrollmentController],
  providers: [EnrollmentRepository, EnrollmentService, LinkService, LinkStatsReader],
  exports: [EnrollmentService, LinkService],
})
export class EnrollmentsModule {}
