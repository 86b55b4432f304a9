import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentBrand } from '@/common/auth/principal';
import { RequireScopes } from '@/common/auth/scopes.decorator';
import { ApiErrors } from '@/common/errors/api-errors.decorator';
import { CouponCodeService } from '@/modules/rewards/coupon-code.service';
import {
  AddCouponCodesDto,
  AddedCouponCodesDto,
  CouponPoolDto,
  CouponPoolQueryDto,
} from '@/modules/rewards/dto/coupon-code.dto';

@ApiTags('Reward rules')
@Controller('v1/programs/:id/reward-rules/:ruleId/coupon-codes')
@RequireScopes('admin')
export class CouponCodeController {
  constructor(private readonly pools: CouponCodeService) {}

  @Post()
  @ApiOperation({
    summary: "Add single-use codes to a coupon rule's pool",
    description:
      'Once a rule has a pool, its coupon rewards take codes from it (each once); when it is ' +
      'empty the event lists the reward under skipped with coupon_pool_empty. Rules without a ' +
      'pool get a generated 10-character code.',
  })
  @ApiCreatedResponse({ type: AddedCouponCodesDto })
  @ApiErrors('json-body', 404, [409, 'The rule is deleted'], [422, 'Not a coupon rule'])
  add(
    @CurrentBrand() brandId: string,
    @Param('id') programId: string,
    @Param('ruleId') ruleId: string,
    @Body() dto: AddCouponCodesDto,
  ): Promise<AddedCouponCodesDto> {
    return this.pools.add(brandId, programId, ruleId, dto.codes);
  }

  @Get()
  @ApiOperation({ summary: "Count the pool's available and assigned codes" })
  @ApiOkResponse({ type: CouponPoolDto })
  @ApiErrors(400, 404)
  count(
    @CurrentBrand() brandId: string,
    @Param('id') programId: string,
    @Param('ruleId') ruleId: string,
    @Query() q: CouponPoolQueryDto,
  ): Promise<CouponPoolDto> {
    return this.pools.count(brandId, programId, ruleId, q.status);
  }
}
