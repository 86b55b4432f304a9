import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentBrand } from '@/common/auth/principal';
import { RequireScopes } from '@/common/auth/scopes.decorator';
import { ApiErrors } from '@/common/errors/api-errors.decorator';
import { ProgramFraudRulesDto, PutFraudRulesDto } from '@/modules/fraud/dto/fraud-rules.dto';
import { FraudRulesService } from '@/modules/fraud/fraud-rules.service';

@ApiTags('Fraud rules and reviews')
@Controller('v1/programs/:id/fraud-rules')
@RequireScopes('admin')
export class FraudRulesController {
  constructor(private readonly rules: FraudRulesService) {}

  @Get()
  @ApiOperation({
    summary: "A program's fraud rules (defaults filled in)",
    description:
      'Every rule is on by default. A triggered rule puts the referral and its rewards on hold ' +
      '(GET /v1/reviews); selfReferral rejects the referral instead.',
  })
  @ApiOkResponse({ type: ProgramFraudRulesDto })
  @ApiErrors(400, 404)
  get(
    @CurrentBrand() brandId: string,
    @Param('id') programId: string,
  ): Promise<ProgramFraudRulesDto> {
    return this.rules.get(brandId, programId);
  }

  @Put()
  @ApiOperation({
    summary: "Replace a program's fraud rule settings",
    description:
      'Send `{"rules": {...}}`; any rule or field left out takes its default (so `{"rules": {}}` ' +
      'restores the defaults). Applies to events recorded from now on; holds already placed stay.',
  })
  @ApiOkResponse({ type: ProgramFraudRulesDto })
  @ApiErrors('json-body', 404)
  put(
    @CurrentBrand() brandId: string,
    @Param('id') programId: string,
    @Body() dto: PutFraudRulesDto,
  ): Promise<ProgramFraudRulesDto> {
    return this.rules.put(brandId, programId, dto.rules);
  }
}
