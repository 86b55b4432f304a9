import { ApiProperty } from '@nestjs/swagger';

export class ImportRowErrorDto {
  @ApiProperty({
    example: 3,
    description: 'Data row number, 1-based: the header is row 0, the first data row is row 1',
  })
  row: number;

  @ApiProperty({ example: 'email', description: 'The CSV column at fault' })
  field: string;

  @ApiProperty({ example: 'must be a valid e-mail address' })
  issue: string;
}

export class AdvocateImportResultDto {
  @ApiProperty({ example: 950, description: 'Rows that created an advocate' })
  created: number;

  @ApiProperty({
    example: 48,
    description: 'Rows that updated an existing advocate (incl. repeats of an externalId)',
  })
  updated: number;

  @ApiProperty({ example: 2, description: 'Rows refused (nothing of them was written)' })
  failed: number;

  @ApiProperty({ type: [ImportRowErrorDto], description: 'At most 1000 entries' })
  errors: ImportRowErrorDto[];

  @ApiProperty({ description: 'True when more than 1000 errors occurred; only they are listed' })
  errorsTruncated: boolean;
}
