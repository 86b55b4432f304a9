import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentBrand } from '@/common/auth/principal';
import { RequireScopes } from '@/common/auth/scopes.decorator';
import { ApiErrors } from '@/common/errors/api-errors.decorator';
import { pageLimit } from '@/common/pagination/pagination';
import {
  CreateRewardRuleDto,
  ListRewardRulesQueryDto,
  RewardRuleDto,
  RewardRulePageDto,
  UpdateRewardRuleDto,
} from '@/modules/programs/dto/reward-rule.dto';
import { RewardRuleService } from '@/modules/programs/reward-rule.service';

@ApiTags('Programs')
@Controller('v1/programs/:id/reward-rules')
@RequireScopes('admin')
export class RewardRuleController {
  constructor(private readonly rules: RewardRuleService) {}

  @Post()
  @ApiOperation({
    summary: 'Add a reward rule to a program',
    description:
      'Exactly one of reward.amount/percent (custom: amount optional); percent needs a purchase ' +
      'trigger; money kinds are in the program currency (the default); points have no currency.',
  })
  @ApiCreatedResponse({ type: RewardRuleDto })
  @ApiErrors('json-body', 404, 409)
  create(
    @CurrentBrand() brandId: string,
    @Param('id') programId: string,
    @Body() dto: CreateRewardRuleDto,
  ): Promise<RewardRuleDto> {
    return this.rules.create(brandId, programId, dto);
  }

  @Get()
  @ApiOperation({ summary: "List a program's reward rules (newest first; active only by default)" })
  @ApiOkResponse({ type: RewardRulePageDto })
  @ApiErrors(400, 404)
  list(
    @CurrentBrand() brandId: string,
    @Param('id') programId: string,
    @Query() query: ListRewardRulesQueryDto,
  ) {
    return this.rules.list(
      brandId,
      programId,
      query.includeInactive ?? false,
      pageLimit(query),
      query.cursor,
    );
  }

  @Get(':ruleId')
  @ApiOperation({ summary: 'Get a reward rule (deleted ones too)' })
  @ApiOkResponse({ type: RewardRuleDto })
  @ApiErrors(400, 404)
  get(
    @CurrentBrand() brandId: string,
    @Param('id') programId: string,
    @Param('ruleId') ruleId: string,
  ): Promise<RewardRuleDto> {
    return this.rules.get(brandId, programId, ruleId);
  }

  @Patch(':ruleId')
  @ApiOperation({
    summary: 'Update a reward rule',
    description:
      'Partial at the top level: an object sent (trigger, reward, conditions, limits, milestone) ' +
      'replaces the stored one as a whole; the merged rule is checked again. Applies to events ' +
      'from now on; rewards already given are not recomputed. A deleted rule answers 409.',
  })
  @ApiOkResponse({ type: RewardRuleDto })
  @ApiErrors('json-body', 404, 409)
  update(
    @CurrentBrand() brandId: string,
    @Param('id') programId: string,
    @Param('ruleId') ruleId: string,
    @Body() dto: UpdateRewardRuleDto,
  ): Promise<RewardRuleDto> {
    return this.rules.update(brandId, programId, ruleId, dto);
  }

  @Delete(':ruleId')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete (deactivate) a reward rule',
    description:
      'The rule stops applying at once; the row stays (active=false, deactivatedAt) because ' +
      'rewards reference it. Idempotent.',
  })
  @ApiNoContentResponse()
  @ApiErrors(400, 404)
  async deactivate(
    @CurrentBrand() brandId: string,
    @Param('id') programId: string,
    @Param('ruleId') ruleId: string,
  ): Promise<void> {
    await this.rules.deactivate(brandId, programId, ruleId);
  }
}
