import { Injectable } from '@nestjs/common';
import { AppError } from '@/common/errors/app-error';
import type { FraudRulesInputDto, ProgramFraudRulesDto } from '@/modules/fraud/dto/fraud-rules.dto';
import {
  canonicalUserAgentFamilies,
  FRAUD_RULE_KEYS,
  FraudRulesInput,
  resolveFraudRules,
} from '@/modules/fraud/fraud-rules';
import { FraudRulesRepository, StoredFraudRules } from '@/modules/fraud/fraud-rules.repository';

/** GET/PUT /v1/programs/:id/fraud-rules. Changes apply to events recorded from then on. */
@Injectable()
export class FraudRulesService {
  constructor(private readonly repository: FraudRulesRepository) {}

  async get(brandId: string, programId: string): Promise<ProgramFraudRulesDto> {
    const stored = await this.repository.findByProgram(brandId, programId);
    if (!stored) throw AppError.notFound('Program');
    return toDto(programId, stored);
  }

  async put(
    brandId: string,
    programId: string,
    dto: FraudRulesInputDto,
  ): Promise<ProgramFraudRulesDto> {
    const velocity = dto.velocity;
    if (velocity?.maxPerHour !== undefined && velocity.maxPerDay !== undefined) {
      if (velocity.maxPerDay < velocity.maxPerHour) {
        throw AppError.field('rules.velocity.maxPerDay', 'must not be below maxPerHour');
      }
    }
    const input = toInput(dto);
    // null, as for every field here, means the default (resolveFraudRules).
    if (input.botClick?.userAgentFamilies != null) {
      const { families, issues } = canonicalUserAgentFamilies(
        input.botClick.userAgentFamilies,
        'rules.botClick.userAgentFamilies',
      );
      if (issues.length > 0) throw AppError.validation(issues);
      input.botClick.userAgentFamilies = families;
    }
    const stored = await this.repository.upsert(brandId, programId, input);
    if (!stored) throw AppError.notFound('Program');
    return toDto(programId, stored);
  }
}

/** Only the fields sent, as plain JSON. */
function toInput(dto: FraudRulesInputDto): FraudRulesInput {
  const out: Record<string, Record<string, unknown>> = {};
  for (const key of FRAUD_RULE_KEYS) {
    const rule = dto[key] as Record<string, unknown> | undefined;
    if (!rule) continue;
    out[key] = Object.fromEntries(Object.entries(rule).filter(([, v]) => v !== undefined));
  }
  return out as FraudRulesInput;
}

function toDto(programId: string, stored: StoredFraudRules): ProgramFraudRulesDto {
  return {
    programId,
    rules: resolveFraudRules(stored.rules),
    updatedAt: stored.updatedAt ? new Date(stored.updatedAt).toISOString() : null,
  };
}
