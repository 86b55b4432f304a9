import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentBrand } from '@/common/auth/principal';
import { RequireScopes } from '@/common/auth/scopes.decorator';
import { ApiErrors } from '@/common/errors/api-errors.decorator';
import { pageLimit } from '@/common/pagination/pagination';
import {
  CreateEnrollmentDto,
  EnrollmentDto,
  EnrollmentPageDto,
  LinkListDto,
  ListEnrollmentsQueryDto,
  ListLinksQueryDto,
} from '@/modules/enrollments/dto/enrollment.dto';
import { EnrollmentService } from '@/modules/enrollments/enrollment.service';
import { LinkStatsRepository } from '@/modules/tracking/link-stats.repository';

@ApiTags('Enrollments and links')
@Controller('v1')
@RequireScopes('admin')
export class EnrollmentController {
  constructor(
    private readonly enrollments: EnrollmentService,
    private readonly stats: LinkStatsRepository,
  ) {}

  @Post('programs/:programId/enrollments')
  @ApiOperation({
    summary: 'Enroll an advocate: a referral code and one tracked link per CTA',
    description:
      'Answers 201 when the enrollment is new and 200 with the same enrollment when the advocate is ' +
      'already enrolled (links of CTAs added since are filled in). A vanity code already used in the ' +
      'brand answers 409 `code_taken`.',
  })
  @ApiCreatedResponse({ type: EnrollmentDto })
  @ApiOkResponse({ type: EnrollmentDto, description: 'Already enrolled: the existing enrollment' })
  @ApiErrors(
    'json-body',
    [404, 'Unknown program or advocate'],
    [409, "The program has ended, or the code is taken (code_taken) or not the advocate's"],
    [422, 'The advocate is banned'],
  )
  async enroll(
    @CurrentBrand() brandId: string,
    @Param('programId') programId: string,
    @Body() dto: CreateEnrollmentDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<EnrollmentDto> {
    const { enrollment, created } = await this.enrollments.enroll(
      brandId,
      programId,
      dto.advocateId,
      dto.code,
    );
    void reply.status(created ? 201 : 200);
    return enrollment;
  }

  @Get('programs/:programId/enrollments')
  @ApiOperation({ summary: "List a program's enrollments (newest first) with their links" })
  @ApiOkResponse({ type: EnrollmentPageDto })
  @ApiErrors(400, [404, "Unknown program (or another brand's)"])
  list(
    @CurrentBrand() brandId: string,
    @Param('programId') programId: string,
    @Query() query: ListEnrollmentsQueryDto,
  ) {
    return this.enrollments.list(brandId, programId, pageLimit(query), query.cursor);
  }

  @Get('advocates/:advocateId/links')
  @ApiOperation({
    summary: "An advocate's tracked links with their clicks, unique visitors and shares",
    description:
      'Every link of every program the advocate is enrolled in (or of `programId`), grouped by ' +
      'enrollment (oldest first) and CTA; paginated with `limit` and `cursor`.',
  })
  @ApiOkResponse({ type: LinkListDto })
  @ApiErrors(400, 404)
  async links(
    @CurrentBrand() brandId: string,
    @Param('advocateId') advocateId: string,
    @Query() query: ListLinksQueryDto,
  ): Promise<LinkListDto> {
    const links = await this.enrollments.linksOfAdvocate(brandId, advocateId, query);
    const stats = await this.stats.statsForLinks(
      brandId,
      links.data.map((l) => l.id),
    );
    return {
      data: links.data.map((l) => ({
        ...this.enrollments.toLinkDto(l),
        ...(stats.get(l.id) ?? { clicks: 0, uniqueVisitors: 0, shares: 0 }),
      })),
      nextCursor: links.nextCursor,
    };
  }
}
