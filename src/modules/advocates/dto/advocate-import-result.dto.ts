import { ApiProperty } from '@nestjs/swagger';
import { INTEGER } from '@/common/openapi/schema';

export class ImportRowErrorDto {
  @ApiProperty({
    ...INTEGER,
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
  @ApiProperty({ ...INTEGER, example: 950, description: 'Rows that created an advocate' })
  created: number;

  @ApiProperty({
    ...INTEGER,
    example: 48,
    description: 'Rows that updated an existing advocate (incl. repeats of an externalId)',
  })
  updated: number;

  @ApiProperty({
    ...INTEGER,
    example: 2,
    description: 'Rows refused (nothing of them was written)',
  })
  failed: number;

  @ApiProperty({ type: [ImportRowErrorDto], maxItems: 1000, description: 'At most 1000 entries' })
  errors: ImportRowErrorDto[];

  @ApiProperty({ description: 'True when more than 1000 errors occurred; only they are listed' })
  errorsTruncated: boolean;
}
