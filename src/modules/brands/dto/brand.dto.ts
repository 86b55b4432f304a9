import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { CreatedApiKeyDto } from '@/modules/brands/dto/api-key.dto';

export class CreateBrandDto {
  @ApiProperty({ example: 'Acme', minLength: 1, maxLength: 200 })
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;
}

export class BrandDto {
  @ApiProperty({ example: 'brd_8Jd0aPq1ZrT6uVw2xY3z' })
  id: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export class CreatedBrandDto {
  @ApiProperty({ type: BrandDto })
  brand: BrandDto;

  @ApiProperty({
    type: CreatedApiKeyDto,
    description: 'The first admin key; its secret is shown once',
  })
  apiKey: CreatedApiKeyDto;
}
