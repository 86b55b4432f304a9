import {
  Body,
  CanActivate,
  Controller,
  ExecutionContext,
  HttpCode,
  Inject,
  Injectable,
  Post,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { APP_CONFIG } from '@/config/config.module';
import { AppConfig } from '@/config/env';
import { Public } from '@/common/auth/scopes.decorator';
import { safeEqual } from '@/common/auth/secret';
import { AppError } from '@/common/errors/app-error';
import { ApiErrors } from '@/common/errors/api-errors.decorator';
import { BrandService } from '@/modules/brands/brand.service';
import { CreateBrandDto, CreatedBrandDto } from '@/modules/brands/dto/brand.dto';

/**
 * The operator token, checked before the body is validated: a caller without it learns nothing
 * about what the route takes (403 while the variable is unset, 401 for a wrong token).
 */
@Injectable()
class OperatorTokenGuard implements CanActivate {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const token = this.config.operatorToken;
    if (!token)
      throw new AppError(
        'forbidden',
        'Brand creation over HTTP is disabled (TANDEM_OPERATOR_TOKEN is unset)',
      );
    const { authorization } = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, string | undefined> }>().headers;
    const presented = /^Bearer\s+(.+)$/i.exec(authorization ?? '')?.[1]?.trim();
    if (!presented || !safeEqual(presented, token))
      throw new AppError('unauthorized', 'Invalid operator token');
    return true;
  }
}

@ApiTags('Brands and keys')
@Controller('v1/brands')
export class BrandController {
  constructor(private readonly brands: BrandService) {}

  @Post()
  @Public()
  @UseGuards(OperatorTokenGuard)
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
  create(@Body() dto: CreateBrandDto) {
    return this.brands.createWithAdminKey(dto.name);
  }
}
