import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { ApiKeyScope } from '@/modules/brands/api-key.entity';

/** Who is calling: the brand every query is scoped to, and the key's scopes. */
export interface Principal {
  brandId: string;
  keyId: string;
  scopes: ApiKeyScope[];
}

export type RequestWithPrincipal = { principal?: Principal };

/** The calling brand's id; every tenant-data signature takes it first. */
export const CurrentBrand = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): string => {
    const principal = ctx.switchToHttp().getRequest<RequestWithPrincipal>().principal;
    if (!principal) throw new Error('CurrentBrand used on a route without an API key guard');
    return principal.brandId;
  },
);

export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): Principal => {
    const principal = ctx.switchToHttp().getRequest<RequestWithPrincipal>().principal;
    if (!principal) throw new Error('CurrentPrincipal used on a route without an API key guard');
    return principal;
  },
);
