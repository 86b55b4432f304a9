import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentBrand } from '@/common/auth/principal';
import { RequireScopes } from '@/common/auth/scopes.decorator';
import { ApiErrors } from '@/common/errors/api-errors.decorator';
import { pageLimit } from '@/common/pagination/pagination';
import {
  ListRewardsQueryDto,
  RejectRewardDto,
  RewardDto,
  RewardPageDto,
} from '@/modules/rewards/dto/reward.dto';
import { RewardService } from '@/modules/rewards/reward.service';

@ApiTags('Rewards')
@Controller('v1/rewards')
export class RewardController {
  constructor(private readonly rewards: RewardService) {}

  @Get()
  @RequireScopes('admin', 'finance')
  @ApiOperation({ summary: 'List rewards (newest first), with filters' })
  @ApiOkResponse({ type: RewardPageDto })
  @ApiErrors(400)
  list(@CurrentBrand() brandId: string, @Query() q: ListRewardsQueryDto) {
    const { limit: _limit, cursor, ...filters } = q;
    return this.rewards.list(brandId, filters, pageLimit(q), cursor);
  }

  @Get(':id')
  @RequireScopes('admin', 'finance')
  @ApiOperation({ summary: 'Get a reward' })
  @ApiOkResponse({ type: RewardDto })
  @ApiErrors(400, 404)
  get(@CurrentBrand() brandId: string, @Param('id') id: string): Promise<RewardDto> {
    return this.rewards.get(brandId, id);
  }

  @Post(':id/approve')
  @HttpCode(200)
  @RequireScopes('admin')
  @ApiOperation({
    summary: 'Approve a pending or held reward now',
    description:
      'Idempotent for an approved reward; any other status answers 409, and so does a reward ' +
      "held with its referral for a fraud review (decide the referral's review instead).",
  })
  @ApiOkResponse({ type: RewardDto })
  @ApiErrors(400, 404, [409, 'invalid_status_transition'])
  approve(@CurrentBrand() brandId: string, @Param('id') id: string): Promise<RewardDto> {
    return this.rewards.approve(brandId, id);
  }

  @Post(':id/reject')
  @HttpCode(200)
  @RequireScopes('admin')
  @ApiOperation({
    summary: 'Reject a pending, held or approved (unpaid) reward',
    description:
      'Frees its room in limits and budgets. Idempotent for a rejected reward; paid, reversed, ' +
      'clawback rewards and rewards in a payout batch answer 409.',
  })
  @ApiOkResponse({ type: RewardDto })
  @ApiErrors('json-body', 404, [409, 'invalid_status_transition'])
  reject(
    @CurrentBrand() brandId: string,
    @Param('id') id: string,
    @Body() dto: RejectRewardDto,
  ): Promise<RewardDto> {
    return this.rewards.reject(brandId, id, dto.reason);
  }
}
