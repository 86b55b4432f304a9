import { Body, Controller, Headers, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { APP_CONFIG } from '@/config/config.module';
import { AppConfig } from '@/config/env';
import { Public } from '@/common/auth/scopes.decorator';
import { safeEqual } from '@/common/auth/secret';
import { AppError } from '@/common/errors/app-error';
import { ApiErrors } from '@/common/errors/api-errors.decorator';
import { BrandService } from '@/modules/brands/brand.service';
import { CreateBrandDto, CreatedBrandDto } from '@/modules/brands/dto/brand.dto';

@ApiTags('Brands and keys')
@Controller('v1/brands')
export class BrandController {
  constructor(
    private readonly brands: BrandService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post()
  @Public()
  @HttpCode(201)
  @ApiBearerAuth('operatorToken')
  @ApiOperation({
    summary: 'Create a brand (operator bootstrap)',
    description:
      'Authenticated with `Authorization: Bearer $TANDEM_OPERATOR_TOKEN`, not with a brand key. ' +
      'When the variable is unset this route answers 403; use `npm run brand:create` instead.',
  })
  @ApiCreatedResponse({ type: CreatedBrandDto })
  @ApiErrors(
    'json-body',
    [401, 'Missing or wrong operator token'],
    [403, 'TANDEM_OPERATOR_TOKEN is unset: brand creation over HTTP is disabled'],
    [429, 'Rate limit of the client address exceeded'],
  )
  create(@Headers('authorization') authorization: string | undefined, @Body() dto: CreateBrandDto) {
    const token = this.config.operatorToken;
    if (!token)
      throw new AppError(
        'forbidden',
        'Brand creation over HTTP is disabled (TANDEM_OPERATOR_TOKEN is unset)',
      );
    const presented = /^Bearer\s+(.+)$/i.exec(authorization ?? '')?.[1]?.trim();
    if (!presented || !safeEqual(presented, token))
      throw new AppError('unauthorized', 'Invalid operator token');
    return this.brands.createWithAdminKey(dto.name);
  }
}
