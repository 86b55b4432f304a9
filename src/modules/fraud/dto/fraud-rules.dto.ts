import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsOptional, Matches } from 'class-validator';
import { anyCase, INTEGER } from '@/common/openapi/schema';
import { IsIntInRange, IsText, NestedObject } from '@/modules/programs/dto/validators';
import { USER_AGENT_FAMILIES } from '@/modules/tracking/user-agent';

const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/;
const lowerAll = ({ value }: { value: unknown }) =>
  Array.isArray(value)
    ? value.map((v) => (typeof v === 'string' ? v.trim().toLowerCase() : v))
    : value;

class RuleSwitchDto {
  @ApiPropertyOptional({ description: 'On or off (default: on)' })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class SelfReferralRuleDto extends RuleSwitchDto {}

export class SameVisitorRuleDto extends RuleSwitchDto {}

export class DisposableEmailRuleDto extends RuleSwitchDto {
  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', pattern: anyCase(DOMAIN) },
    maxItems: 1000,
    example: ['mail-relay.example.net'],
    description: 'Your own suspicious domains (subdomains included); at most 1,000',
  })
  @IsOptional()
  @Transform(lowerAll)
  @IsArray()
  @ArrayMaxSize(1000)
  @Matches(DOMAIN, { each: true, message: 'must be a list of domain names' })
  blockedDomains?: string[];

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', pattern: anyCase(DOMAIN) },
    maxItems: 1000,
    example: ['yopmail.com'],
    description: 'Domains never flagged, even when on the shipped list; at most 1,000',
  })
  @IsOptional()
  @Transform(lowerAll)
  @IsArray()
  @ArrayMaxSize(1000)
  @Matches(DOMAIN, { each: true, message: 'must be a list of domain names' })
  allowedDomains?: string[];
}

export class VelocityRuleDto extends RuleSwitchDto {
  @ApiPropertyOptional({ ...INTEGER, minimum: 1, maximum: 1_000_000, default: 20 })
  @IsOptional()
  @IsIntInRange(1, 1_000_000)
  maxPerHour?: number;

  @ApiPropertyOptional({ ...INTEGER, minimum: 1, maximum: 10_000_000, default: 100 })
  @IsOptional()
  @IsIntInRange(1, 10_000_000)
  maxPerDay?: number;
}

export class MultipleAdvocatesRuleDto extends RuleSwitchDto {
  @ApiPropertyOptional({ ...INTEGER, minimum: 1, maximum: 1000, default: 1 })
  @IsOptional()
  @IsIntInRange(1, 1000)
  maxAdvocates?: number;
}

export class BotClickRuleDto extends RuleSwitchDto {
  @ApiPropertyOptional({
    enum: USER_AGENT_FAMILIES,
    isArray: true,
    maxItems: 50,
    example: ['curl'],
    description:
      "Clicks' user-agent families held besides bots, as the click's ua_family records them " +
      '(`curl`, `other`…); accepted in any case and answered in this spelling. Another value ' +
      'answers 400 naming its position (`rules.botClick.userAgentFamilies[1]`).',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsText(1, 50, { each: true })
  userAgentFamilies?: string[];
}

export class FastConversionRuleDto extends RuleSwitchDto {
  @ApiPropertyOptional({ ...INTEGER, minimum: 1, maximum: 86_400, default: 10 })
  @IsOptional()
  @IsIntInRange(1, 86_400)
  minSeconds?: number;
}

/** The rules of a program; any rule or field left out takes its default. */
export class FraudRulesInputDto {
  @ApiPropertyOptional({ type: SelfReferralRuleDto })
  @IsOptional()
  @NestedObject(() => SelfReferralRuleDto)
  selfReferral?: SelfReferralRuleDto;

  @ApiPropertyOptional({ type: SameVisitorRuleDto })
  @IsOptional()
  @NestedObject(() => SameVisitorRuleDto)
  sameVisitor?: SameVisitorRuleDto;

  @ApiPropertyOptional({ type: DisposableEmailRuleDto })
  @IsOptional()
  @NestedObject(() => DisposableEmailRuleDto)
  disposableEmail?: DisposableEmailRuleDto;

  @ApiPropertyOptional({ type: VelocityRuleDto })
  @IsOptional()
  @NestedObject(() => VelocityRuleDto)
  velocity?: VelocityRuleDto;

  @ApiPropertyOptional({ type: MultipleAdvocatesRuleDto })
  @IsOptional()
  @NestedObject(() => MultipleAdvocatesRuleDto)
  multipleAdvocates?: MultipleAdvocatesRuleDto;

  @ApiPropertyOptional({ type: BotClickRuleDto })
  @IsOptional()
  @NestedObject(() => BotClickRuleDto)
  botClick?: BotClickRuleDto;

  @ApiPropertyOptional({ type: FastConversionRuleDto })
  @IsOptional()
  @NestedObject(() => FastConversionRuleDto)
  fastConversion?: FastConversionRuleDto;
}

export class PutFraudRulesDto {
  @ApiProperty({ type: FraudRulesInputDto })
  @NestedObject(() => FraudRulesInputDto)
  rules: FraudRulesInputDto;
}

// --- answers: every rule with every field ---

export class SwitchAnswerDto {
  @ApiProperty()
  enabled: boolean;
}

export class DisposableEmailAnswerDto extends SwitchAnswerDto {
  @ApiProperty({ type: [String] })
  blockedDomains: string[];

  @ApiProperty({ type: [String] })
  allowedDomains: string[];
}

export class VelocityAnswerDto extends SwitchAnswerDto {
  @ApiProperty({ ...INTEGER, example: 20 })
  maxPerHour: number;

  @ApiProperty({ ...INTEGER, example: 100 })
  maxPerDay: number;
}

export class MultipleAdvocatesAnswerDto extends SwitchAnswerDto {
  @ApiProperty({ ...INTEGER, example: 1 })
  maxAdvocates: number;
}

export class BotClickAnswerDto extends SwitchAnswerDto {
  @ApiProperty({ enum: USER_AGENT_FAMILIES, isArray: true, example: ['curl'] })
  userAgentFamilies: string[];
}

export class FastConversionAnswerDto extends SwitchAnswerDto {
  @ApiProperty({ ...INTEGER, example: 10 })
  minSeconds: number;
}

export class FraudRulesAnswerDto {
  @ApiProperty({
    type: SwitchAnswerDto,
    description: 'The friend is the advocate (customer id or normalised e-mail): rejected',
  })
  selfReferral: SwitchAnswerDto;

  @ApiProperty({
    type: SwitchAnswerDto,
    description:
      "The converting click's visitor identity (keyed hash of IP + user agent, same UTC day) is " +
      "on the advocate's own events' clicks or on another friend's referral click of the advocate",
  })
  sameVisitor: SwitchAnswerDto;

  @ApiProperty({
    type: DisposableEmailAnswerDto,
    description:
      "The friend's e-mail domain is a disposable mail service (shipped list), not a public " +
      'mail domain (IP, reserved TLD), or one of blockedDomains; allowedDomains are never flagged',
  })
  disposableEmail: DisposableEmailAnswerDto;

  @ApiProperty({
    type: VelocityAnswerDto,
    description: 'More new referrals for one advocate in the program than this in an hour / a day',
  })
  velocity: VelocityAnswerDto;

  @ApiProperty({
    type: MultipleAdvocatesAnswerDto,
    description:
      'The friend (customer id or normalised e-mail) has referrals from more advocates than this',
  })
  multipleAdvocates: MultipleAdvocatesAnswerDto;

  @ApiProperty({
    type: BotClickAnswerDto,
    description: 'The converting click was a bot or of one of these user-agent families',
  })
  botClick: BotClickAnswerDto;

  @ApiProperty({
    type: FastConversionAnswerDto,
    description: 'A purchase less than minSeconds after the click it carries',
  })
  fastConversion: FastConversionAnswerDto;
}

export class ProgramFraudRulesDto {
  @ApiProperty()
  programId: string;

  @ApiProperty({
    type: FraudRulesAnswerDto,
    description: 'The effective rules (defaults filled in)',
  })
  rules: FraudRulesAnswerDto;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'null: the program uses the defaults',
  })
  updatedAt: string | null;
}
