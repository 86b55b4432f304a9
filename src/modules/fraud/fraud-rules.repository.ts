import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { looksLikeId } from '@/common/ids';
import type { FraudRulesInput } from '@/modules/fraud/fraud-rules';

export interface StoredFraudRules {
  rules: FraudRulesInput | null;
  updatedAt: Date | null;
}

@Injectable()
export class FraudRulesRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** undefined: no such program for the brand; rules null: the program uses the defaults. */
  async findByProgram(brandId: string, programId: string): Promise<StoredFraudRules | undefined> {
    if (!looksLikeId('program', programId)) return undefined;
    const rows: { rules: FraudRulesInput | null; updated_at: Date | null }[] =
      await this.dataSource.query(
        `SELECT f.rules, f.updated_at FROM programs p
           LEFT JOIN program_fraud_rules f ON f.program_id = p.id AND f.brand_id = p.brand_id
          WHERE p.brand_id = $1 AND p.id = $2`,
        [brandId, programId],
      );
    return rows[0] ? { rules: rows[0].rules, updatedAt: rows[0].updated_at } : undefined;
  }

  /** Stores the program's settings (insert or replace); undefined when the program is not the brand's. */
  async upsert(
    brandId: string,
    programId: string,
    rules: FraudRulesInput,
  ): Promise<StoredFraudRules | undefined> {
    if (!looksLikeId('program', programId)) return undefined;
    const rows: { rules: FraudRulesInput; updated_at: Date }[] = await this.dataSource.query(
      `INSERT INTO program_fraud_rules (program_id, brand_id, rules)
       SELECT p.id, p.brand_id, $3::jsonb FROM programs p WHERE p.brand_id = $1 AND p.id = $2
       ON CONFLICT (program_id) DO UPDATE SET rules = EXCLUDED.rules, updated_at = now()
       RETURNING rules, updated_at`,
      [brandId, programId, JSON.stringify(rules)],
    );
    return rows[0] ? { rules: rows[0].rules, updatedAt: rows[0].updated_at } : undefined;
  }
}
