import { MigrationInterface, QueryRunner } from 'typeorm';

export class PayoutBatchBanned1795894515389 implements MigrationInterface {
  name = 'PayoutBatchBanned1795894515389';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "payout_batches" ADD "banned_advocate_count" integer NOT NULL DEFAULT '0'`,
    );
    await queryRunner.query(
      `ALTER TABLE "payout_batches" ADD "banned_amount" bigint NOT NULL DEFAULT '0'`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "payout_batches" DROP COLUMN "banned_amount"`);
    await queryRunner.query(`ALTER TABLE "payout_batches" DROP COLUMN "banned_advocate_count"`);
  }
}
