import { Module } from '@nestjs/common';
import { TrackingModule } from '@/modules/tracking/tracking.module';
import { EnrollmentController } from '@/modules/enrollments/enrollment.controller';
import { EnrollmentRepository } from '@/modules/enrollments/enrollment.repository';
import { EnrollmentService } from '@/modules/enrollments/enrollment.service';
import { LinkService } from '@/modules/enrollments/link.service';

@Module({
  imports: [TrackingModule],
  controllers: [EnrollmentController],
  providers: [EnrollmentRepository, EnrollmentService, LinkService],
  exports: [EnrollmentService, LinkService],
})
export class EnrollmentsModule {}
