import { ExecutionContext } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { AppError } from '@/common/errors/app-error';
import { createBodyParamDecorator } from '@/common/http/body-param';
import { flattenValidationErrors } from '@/common/errors/validation';
import { ReviewDecisionBodyDto } from '@/modules/reviews/dto/review.dto';

/**
 * The decision's optional `{note}`. The body itself is optional too (`curl -X POST …/approve`
 * works), which the global pipe cannot express for a DTO body, so it is validated here with
 * the same rules and error shape.
 */
export const ReviewNote = createBodyParamDecorator((_data: unknown, ctx: ExecutionContext) => {
  const body: unknown = ctx.switchToHttp().getRequest<{ body?: unknown }>().body;
  if (body === undefined || body === null) return null;
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw AppError.field('body', 'must be a JSON object (send Content-Type: application/json)');
  }
  const dto = plainToInstance(ReviewDecisionBodyDto, body);
  const errors = validateSync(dto, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0) throw AppError.validation(flattenValidationErrors(errors));
  return dto.note ? dto.note : null;
});
