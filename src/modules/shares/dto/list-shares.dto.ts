import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '@/common/pagination/pagination';

export class ListSharesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: 'prg_8Hk2LmN4pQ6rS8tU0vWx', maxLength: 64 })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  programId?: string;

  @ApiPropertyOptional({ example: 'adv_4f9T2kQ8mZ1xYb7cD3eF', maxLength: 64 })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  advocateId?: string;
}
