import { ExecutionContext } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { AppError } from '@/common/errors/app-error';
import { createBodyParamDecorator } from '@/common/http/body-param';
import { flattenValidationErrors } from '@/common/errors/validation';

/**
 * A JSON body the client may leave out: no body (or JSON `null`) reads as `{}`, so
 * `curl -X POST …` works like `-d '{}'`. The global pipe refuses a missing DTO body, so the
 * body is validated here with the same rules and error shape (as ReviewNote does for review
 * decisions). An empty body sent as application/json stays a 400 invalid_json, as on every
 * route. Document the route with `@ApiBody({ type: Dto, required: false })`.
 */
export const OptionalBody = createBodyParamDecorator(
  (dto: new () => object, ctx: ExecutionContext): object => {
    const body: unknown = ctx.switchToHttp().getRequest<{ body?: unknown }>().body;
    if (body !== undefined && body !== null && (typeof body !== 'object' || Array.isArray(body))) {
      throw AppError.field('body', 'must be a JSON object (send Content-Type: application/json)');
    }
    const value = plainToInstance(dto, body ?? {});
    const errors = validateSync(value, { whitelist: true, forbidNonWhitelisted: true });
    if (errors.length > 0) throw AppError.validation(flattenValidationErrors(errors));
    return value;
  },
);
