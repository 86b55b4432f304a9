import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentBrand } from '@/common/auth/principal';
import { RequireScopes } from '@/common/auth/scopes.decorator';
import { ApiErrors } from '@/common/errors/api-errors.decorator';
import { pageLimit } from '@/common/pagination/pagination';
import { CreateShareDto } from '@/modules/shares/dto/create-share.dto';
import { ListSharesQueryDto } from '@/modules/shares/dto/list-shares.dto';
import { ShareDto, SharePageDto } from '@/modules/shares/dto/share.dto';
import { ShareService } from '@/modules/shares/share.service';

@ApiTags('Tracking')
@Controller('v1/shares')
export class ShareController {
  constructor(private readonly shares: ShareService) {}

  @Post()
  @RequireScopes('track')
  @ApiOperation({
    summary: 'Report a share',
    description:
      "An advocate posted a CTA on a channel (reported by the brand's widget). Identify the advocate by " +
      '`advocateId` + `programId` or by `code`, and the CTA by `ctaKey` or `channel`. The advocate must be ' +
      'enrolled in the program, and the share is recorded only where a click would count: the advocate ' +
      'neither paused nor banned, the program active, `sharedAt` inside its schedule (422 otherwise, ' +
      'every reason at once).',
  })
  @ApiCreatedResponse({ type: ShareDto })
  @ApiErrors(
    'json-body',
    [404, 'Unknown advocate, program or code'],
    [
      422,
      'Not enrolled, unknown CTA key, no single CTA on the channel, advocate paused or banned, ' +
        'program not active, or sharedAt outside the schedule',
    ],
  )
  create(@CurrentBrand() brandId: string, @Body() dto: CreateShareDto): Promise<ShareDto> {
    return this.shares.create(brandId, dto);
  }

  @Get()
  @RequireScopes('track', 'read')
  @ApiOperation({ summary: 'List reported shares (newest first)' })
  @ApiOkResponse({ type: SharePageDto })
  @ApiErrors(400, [404, 'Unknown program or advocate filter'])
  list(@CurrentBrand() brandId: string, @Query() query: ListSharesQueryDto): Promise<SharePageDto> {
    return this.shares.list(brandId, query, pageLimit(query));
  }
}
