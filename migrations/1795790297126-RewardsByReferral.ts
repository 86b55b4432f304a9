import { MigrationInterface, QueryRunner } from 'typeorm';

export class RewardsByReferral1795790297126 implements MigrationInterface {
  name = 'RewardsByReferral1795790297126';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "rewards_referral_idx" ON "rewards"  ("referral_id") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."rewards_referral_idx"`);
  }
}
