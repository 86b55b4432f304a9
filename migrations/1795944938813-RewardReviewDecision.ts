import { MigrationInterface, QueryRunner } from 'typeorm';

export class RewardReviewDecision1795944938813 implements MigrationInterface {
  name = 'RewardReviewDecision1795944938813';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "rewards" ADD "review_decision" text`);
    await queryRunner.query(`ALTER TABLE "rewards" ADD "reviewed_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "rewards" ADD "review_note" text`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "rewards" DROP COLUMN "review_note"`);
    await queryRunner.query(`ALTER TABLE "rewards" DROP COLUMN "reviewed_at"`);
    await queryRunner.query(`ALTER TABLE "rewards" DROP COLUMN "review_decision"`);
  }
}
