import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ErrorDetailDto {
  @ApiProperty({ example: 'attribution.windowDays' })
  field: string;

  @ApiProperty({ example: 'must not be greater than 365' })
  issue: string;
}

export class ErrorBodyDto {
  @ApiProperty({ example: 'validation_failed', description: 'Stable machine-readable code' })
  code: string;

  @ApiProperty({ example: 'The request has invalid fields' })
  message: string;

  @ApiProperty({ type: [ErrorDetailDto] })
  details: ErrorDetailDto[];

  @ApiPropertyOptional({ description: 'Only on 500: quote it when reporting the error' })
  requestId?: string;
}

export class ErrorResponseDto {
  @ApiProperty({ type: ErrorBodyDto })
  error: ErrorBodyDto;
}
