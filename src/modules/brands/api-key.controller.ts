import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
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
import { PageQueryDto, pageLimit } from '@/common/pagination/pagination';
import { ApiKeyService } from '@/modules/brands/api-key.service';
import { ApiKeyPageDto, CreateApiKeyDto, CreatedApiKeyDto } from '@/modules/brands/dto/api-key.dto';

@ApiTags('Brands and keys')
@Controller('v1/api-keys')
@RequireScopes('admin')
export class ApiKeyController {
  constructor(private readonly apiKeys: ApiKeyService) {}

  @Post()
  @ApiOperation({ summary: 'Create an API key', description: 'The secret is in this answer only.' })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  @ApiErrors('json-body')
  create(@CurrentBrand() brandId: string, @Body() dto: CreateApiKeyDto): Promise<CreatedApiKeyDto> {
    return this.apiKeys.create(brandId, dto.name, dto.scopes);
  }

  @Get()
  @ApiOperation({ summary: "List the brand's API keys (newest first, revoked ones included)" })
  @ApiOkResponse({ type: ApiKeyPageDto })
  @ApiErrors(400)
  list(@CurrentBrand() brandId: string, @Query() query: PageQueryDto) {
    return this.apiKeys.list(brandId, pageLimit(query), query.cursor);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Revoke an API key',
    description: 'Idempotent. The last active admin key cannot be revoked.',
  })
  @ApiNoContentResponse()
  @ApiErrors(400, 404, [409, "The brand's last active admin key"])
  async revoke(@CurrentBrand() brandId: string, @Param('id') id: string): Promise<void> {
    await this.apiKeys.revoke(brandId, id);
  }
}
