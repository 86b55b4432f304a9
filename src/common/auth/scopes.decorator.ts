import { applyDecorators, SetMetadata } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiExtension,
  ApiForbiddenResponse,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { ApiKeyScope } from '@/modules/brands/api-key.entity';
import { ErrorResponseDto } from '@/common/errors/error-response.dto';

export const SCOPES_KEY = 'tandem:scopes';
export const PUBLIC_KEY = 'tandem:public';

/**
 * The route needs a key holding one of these scopes (`admin` passes everywhere).
 * Also documents the requirement in OpenAPI (`x-scopes` and the 401/403 answers).
 */
export function RequireScopes(...scopes: ApiKeyScope[]) {
  return applyDecorators(
    SetMetadata(SCOPES_KEY, scopes),
    ApiBearerAuth('apiKey'),
    ApiExtension('x-scopes', scopes),
    ApiUnauthorizedResponse({
      description: 'Missing, unknown or revoked API key',
      type: ErrorResponseDto,
    }),
    ApiForbiddenResponse({
      description: `The key lacks the scope: one of ${scopes.join(', ')}`,
      type: ErrorResponseDto,
    }),
    ApiTooManyRequestsResponse({
      description: 'Rate limit of the key exceeded',
      type: ErrorResponseDto,
    }),
  );
}

/** No API key: public redirect, health, docs and the operator-token bootstrap. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);
