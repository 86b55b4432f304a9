import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentBrand } from '@/common/auth/principal';
import { RequireScopes } from '@/common/auth/scopes.decorator';
import { ApiErrors } from '@/common/errors/api-errors.decorator';
import { pageLimit } from '@/common/pagination/pagination';
import { AdvocateService } from '@/modules/advocates/advocate.service';
import { AdvocateDto, AdvocatePageDto } from '@/modules/advocates/dto/advocate.dto';
import { CreateAdvocateDto, UpdateAdvocateDto } from '@/modules/advocates/dto/advocate-input.dto';
import { ListAdvocatesQueryDto } from '@/modules/advocates/dto/list-advocates.query';

@ApiTags('Advocates')
@Controller('v1/advocates')
@RequireScopes('admin')
export class AdvocateController {
  constructor(private readonly advocates: AdvocateService) {}

  @Post()
  @ApiOperation({ summary: 'Create an advocate' })
  @ApiCreatedResponse({ type: AdvocateDto })
  @ApiErrors('json-body', [409, 'externalId already exists'])
  create(@CurrentBrand() brandId: string, @Body() dto: CreateAdvocateDto): Promise<AdvocateDto> {
    return this.advocates.create(brandId, dto);
  }

  @Get()
  @ApiOperation({
    summary: "List the brand's advocates",
    description:
      'Filters combine (AND). Sorted by createdAt (newest first) unless `sort`/`order` say ' +
      'otherwise; `sort` may be any KPI, which ranks the advocates of one `program` by their ' +
      'KPIs in it over a period (`from`, `to`, `timezone`). Pass `nextCursor` with the same ' +
      'filters, sort and period to get the next page.',
  })
  @ApiOkResponse({ type: AdvocatePageDto })
  @ApiErrors(400)
  list(@CurrentBrand() brandId: string, @Query() query: ListAdvocatesQueryDto) {
    return this.advocates.list(
      brandId,
      {
        status: query.status,
        tier: query.tier,
        tag: query.tag,
        programId: query.program,
        search: query.search,
        sort: query.sort,
        order: query.order,
        from: query.from,
        to: query.to,
        timezone: query.timezone,
      },
      pageLimit(query),
      query.cursor,
    );
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get an advocate' })
  @ApiOkResponse({ type: AdvocateDto })
  @ApiErrors(400, 404)
  get(@CurrentBrand() brandId: string, @Param('id') id: string): Promise<AdvocateDto> {
    return this.advocates.get(brandId, id);
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Update an advocate',
    description: 'Only the fields sent change; `email` and `name` can be cleared with null.',
  })
  @ApiOkResponse({ type: AdvocateDto })
  @ApiErrors('json-body', 404, [409, 'externalId already exists'])
  update(
    @CurrentBrand() brandId: string,
    @Param('id') id: string,
    @Body() dto: UpdateAdvocateDto,
  ): Promise<AdvocateDto> {
    return this.advocates.update(brandId, id, dto);
  }
}
