import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentBrand } from '@/common/auth/principal';
import { RequireScopes } from '@/common/auth/scopes.decorator';
import { ApiErrors } from '@/common/errors/api-errors.decorator';
import { pageLimit } from '@/common/pagination/pagination';
import {
  CreateProgramDto,
  ListProgramsQueryDto,
  ProgramDto,
  ProgramPageDto,
  UpdateProgramDto,
} from '@/modules/programs/dto/program.dto';
import { ProgramService } from '@/modules/programs/program.service';

@ApiTags('Programs')
@Controller('v1/programs')
@RequireScopes('admin')
export class ProgramController {
  constructor(private readonly programs: ProgramService) {}

  @Post()
  @ApiOperation({
    summary: 'Create a program',
    description:
      'Starts as draft, with a default CTA `copy-link` (channel copy_link, value 0) created in the ' +
      'same transaction.',
  })
  @ApiCreatedResponse({ type: ProgramDto })
  @ApiErrors('json-body')
  create(@CurrentBrand() brandId: string, @Body() dto: CreateProgramDto): Promise<ProgramDto> {
    return this.programs.create(brandId, dto);
  }

  @Get()
  @ApiOperation({ summary: "List the brand's programs (newest first)" })
  @ApiOkResponse({ type: ProgramPageDto })
  @ApiErrors(400)
  list(@CurrentBrand() brandId: string, @Query() query: ListProgramsQueryDto) {
    return this.programs.list(
      brandId,
      { status: query.status, goal: query.goal },
      pageLimit(query),
      query.cursor,
    );
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a program' })
  @ApiOkResponse({ type: ProgramDto })
  @ApiErrors(400, 404)
  get(@CurrentBrand() brandId: string, @Param('id') id: string): Promise<ProgramDto> {
    return this.programs.get(brandId, id);
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Update a program or change its status',
    description:
      'Partial: only the fields sent change (null clears a nullable one; attribution merges). ' +
      'Status: draft→active, active→paused, paused→active, draft/active/paused→ended; ended is ' +
      'final; anything else is 409 invalid_status_transition. The currency can change only while ' +
      'the program is draft with no reward rules and no CTA value (else 409 conflict).',
  })
  @ApiOkResponse({ type: ProgramDto })
  @ApiErrors('json-body', 404, 409)
  update(
    @CurrentBrand() brandId: string,
    @Param('id') id: string,
    @Body() dto: UpdateProgramDto,
  ): Promise<ProgramDto> {
    return this.programs.update(brandId, id, dto);
  }
}
