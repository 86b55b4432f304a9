import { ApiProperty } from '@nestjs/swagger';
import { MAX_AMOUNT } from '@/common/money/money';
import { MONEY } from '@/common/openapi/schema';
import { IsAmount, IsCurrencyCode } from '@/modules/programs/dto/validators';

/** An amount of money: integer minor units of an ISO 4217 currency (1000 USD = 10.00 $). */
export class MoneyDto {
  @ApiProperty({
    ...MONEY,
    example: 500000,
    minimum: 0,
    maximum: MAX_AMOUNT,
    description:
      'Integer in minor units of the currency (cents for USD, yen for JPY, fils for KWD)',
  })
  @IsAmount(0)
  amount: number;

  @ApiProperty({ example: 'USD', description: 'ISO 4217, upper case; the program currency' })
  @IsCurrencyCode()
  currency: string;
}
