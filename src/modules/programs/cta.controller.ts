import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentBrand } from '@/common/auth/principal';
import { RequireScopes } from '@/common/auth/scopes.decorator';
import { ApiErrors } from '@/common/errors/api-errors.decorator';
import { pageLimit } from '@/common/pagination/pagination';
import { CtaService } from '@/modules/programs/cta.service';
import {
  CreateCtaDto,
  CtaDto,
  CtaPageDto,
  ListCtasQueryDto,
  UpdateCtaDto,
} from '@/modules/programs/dto/cta.dto';

@ApiTags('Programs')
@Controller('v1/programs/:id/ctas')
@RequireScopes('admin')
export class CtaController {
  constructor(private readonly ctas: CtaService) {}

  @Post()
  @ApiOperation({
    summary: 'Add a CTA to a program',
    description:
      'The key is unique in the program (409 conflict otherwise). An ended program cannot get ' +
      'new CTAs (409).',
  })
  @ApiCreatedResponse({ type: CtaDto })
  @ApiErrors('json-body', 404, 409)
  create(
    @CurrentBrand() brandId: string,
    @Param('id') programId: string,
    @Body() dto: CreateCtaDto,
  ): Promise<CtaDto> {
    return this.ctas.create(brandId, programId, dto);
  }

  @Get()
  @ApiOperation({ summary: "List a program's CTAs (newest first)" })
  @ApiOkResponse({ type: CtaPageDto })
  @ApiErrors(400, 404)
  list(
    @CurrentBrand() brandId: string,
    @Param('id') programId: string,
    @Query() query: ListCtasQueryDto,
  ) {
    return this.ctas.list(brandId, programId, query.status, pageLimit(query), query.cursor);
  }

  @Get(':ctaId')
  @ApiOperation({ summary: 'Get a CTA' })
  @ApiOkResponse({ type: CtaDto })
  @ApiErrors(400, 404)
  get(
    @CurrentBrand() brandId: string,
    @Param('id') programId: string,
    @Param('ctaId') ctaId: string,
  ): Promise<CtaDto> {
    return this.ctas.get(brandId, programId, ctaId);
  }

  @Patch(':ctaId')
  @ApiOperation({
    summary: 'Update a CTA',
    description:
      'Partial. The key cannot change (issued links carry it as utm_content); null landingUrl ' +
      "falls back to the program's. `status: archived` retires the CTA (its links redirect " +
      'without tracking), `active` brings it back.',
  })
  @ApiOkResponse({ type: CtaDto })
  @ApiErrors('json-body', 404)
  update(
    @CurrentBrand() brandId: string,
    @Param('id') programId: string,
    @Param('ctaId') ctaId: string,
    @Body() dto: UpdateCtaDto,
  ): Promise<CtaDto> {
    return this.ctas.update(brandId, programId, ctaId, dto);
  }
}
