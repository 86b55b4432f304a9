import { MigrationInterface, QueryRunner } from 'typeorm';

export class CtaStatus1795953394296 implements MigrationInterface {
  name = 'CtaStatus1795953394296';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "ctas" ADD "status" text NOT NULL DEFAULT 'active'`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "ctas" DROP COLUMN "status"`);
  }
}
