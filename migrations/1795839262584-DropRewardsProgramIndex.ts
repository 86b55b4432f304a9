import { MigrationInterface, QueryRunner } from 'typeorm';

export class DropRewardsProgramIndex1795839262584 implements MigrationInterface {
  name = 'DropRewardsProgramIndex1795839262584';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."rewards_program_idx"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "rewards_program_idx" ON "rewards" USING btree ("program_id") `,
    );
  }
}
