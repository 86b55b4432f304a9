import { MigrationInterface, QueryRunner } from 'typeorm';

export class KpiFoldQueue1795816571447 implements MigrationInterface {
  name = 'KpiFoldQueue1795816571447';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "kpi_fold_queue" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "brand_id" text NOT NULL, "kind" text NOT NULL, "event_id" text NOT NULL, CONSTRAINT "PK_2204ea74f60276997ff597d2e1e" PRIMARY KEY ("id"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "kpi_fold_queue"`);
  }
}
