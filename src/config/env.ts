import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;

/**
 * Every environment variable Tandem reads, validated once at boot.
 * Nothing outside src/config reads process.env.
 */
export class EnvDto {
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT: number = 3000;

  @IsOptional()
  @IsString()
  HOST: string = '0.0.0.0';

  /** Unset → the embedded PostgreSQL (PGlite) in TANDEM_DATA_DIR. */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'must be a postgres:// or postgresql:// URL' })
  DATABASE_URL?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(200)
  DATABASE_POOL_SIZE: number = 10;

  @IsOptional()
  @IsString()
  @MinLength(1)
  TANDEM_DATA_DIR: string = './.tandem/data';

  @IsOptional()
  @IsIn(LOG_LEVELS)
  LOG_LEVEL: LogLevel = 'info';

  /** Signs click ids and keys visitor hashes. Generated into the data dir's parent when unset. */
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'must be at least 32 characters' })
  TANDEM_SECRET?: string;

  /** Enables POST /v1/brands for the operator; unset → that route answers 403. */
  @IsOptional()
  @IsString()
  @MinLength(24, { message: 'must be at least 24 characters' })
  TANDEM_OPERATOR_TOKEN?: string;

  /** Public base URL of tracked links (https://go.example.com). */
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  @MaxLength(200)
  PUBLIC_BASE_URL?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  RATE_LIMIT_PER_MINUTE: number = 6000;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1000) // 0 made every stop exit at once with status 1, without a clean close
  @Max(120_000)
  SHUTDOWN_TIMEOUT_MS: number = 10_000;

  @IsOptional()
  @IsIn(['true', 'false'])
  MIGRATIONS_RUN: 'true' | 'false' = 'true';

  /** A visitor clicking the same link again within this many minutes is a repeat, not a first visit. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(1440)
  CLICK_REPEAT_WINDOW_MINUTES: number = 30;

  /** How often the approval job approves pending rewards whose hold period is over; 0: never. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(86_400_000)
  REWARD_APPROVAL_INTERVAL_MS: number = 60_000;

  /** Days of visitor keys kept for incremental reach (today included); older days are pruned. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(31)
  KPI_VISITOR_KEY_DAYS: number = 3;

  /** How often the KPI job prunes visitor keys and recomputes days hit by late clicks; 0: never. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(86_400_000)
  KPI_MAINTENANCE_INTERVAL_MS: number = 60_000;

  /**
   * How often queued KPI changes (events' counts, reward cost changes) are folded into the
   * rollups in the background; KPI reads fold their brand's first, so this only keeps the queues
   * short. 0: only on reads, on demand and at shutdown.
   */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  KPI_FOLD_INTERVAL_MS: number = 250;

  // --- Webhooks (issue 8) ---

  /** How often each instance looks for webhook deliveries that are due; 0: never. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  WEBHOOKS_DISPATCH_INTERVAL_MS: number = 1_000;

  /** One delivery attempt may take this long (connect, answer and body) before it counts as failed. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(120_000)
  WEBHOOKS_TIMEOUT_MS: number = 10_000;

  /** The first retry waits about this long; each further one twice as long (with jitter). */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(86_400_000)
  WEBHOOKS_RETRY_BASE_MS: number = 10_000;

  /** No wait between two attempts is longer than this. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(86_400_000)
  WEBHOOKS_RETRY_MAX_DELAY_MS: number = 3_600_000;

  /** A delivery is retried for this long after its event, then marked failed. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(30 * 86_400_000)
  WEBHOOKS_RETRY_WINDOW_MS: number = 86_400_000;

  /** An endpoint is disabled after this many consecutive deliveries failed for good; 0: never. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  WEBHOOKS_DISABLE_AFTER_FAILURES: number = 5;

  /** Deliveries one instance sends at the same time. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000)
  WEBHOOKS_CONCURRENCY: number = 10;

  /** Delivered and failed webhook events older than this are deleted (with their attempts). */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3_650)
  WEBHOOKS_RETENTION_DAYS: number = 30;

  /** Development only: endpoints may be http://localhost, 127.0.0.1 or [::1]. */
  @IsOptional()
  @IsIn(['true', 'false'])
  WEBHOOKS_ALLOW_HTTP_LOCALHOST: 'true' | 'false' = 'false';

  /** Self-hosted receivers on private addresses (10.x, 192.168.x, …); off: refused (SSRF). */
  @IsOptional()
  @IsIn(['true', 'false'])
  WEBHOOKS_ALLOW_PRIVATE_NETWORKS: 'true' | 'false' = 'false';
}

export interface WebhooksConfig {
  dispatchIntervalMs: number;
  timeoutMs: number;
  retryBaseMs: number;
  retryMaxDelayMs: number;
  retryWindowMs: number;
  disableAfterFailures: number;
  concurrency: number;
  retentionDays: number;
  allowHttpLocalhost: boolean;
  allowPrivateNetworks: boolean;
}

export interface AppConfig {
  port: number;
  host: string;
  database: { url?: string; poolSize: number; dataDir: string; migrationsRun: boolean };
  logLevel: LogLevel;
  secret: string;
  operatorToken?: string;
  publicBaseUrl: string;
  rateLimitPerMinute: number;
  shutdownTimeoutMs: number;
  clickRepeatWindowMinutes: number;
  rewardApprovalIntervalMs: number;
  kpiVisitorKeyDays: number;
  kpiMaintenanceIntervalMs: number;
  kpiFoldIntervalMs: number;
  webhooks: WebhooksConfig;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Validates the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const known = Object.keys(new EnvDto());
  const raw: Record<string, string> = {};
  for (const key of [
    ...known,
    'DATABASE_URL',
    'TANDEM_SECRET',
    'TANDEM_OPERATOR_TOKEN',
    'PUBLIC_BASE_URL',
  ]) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const dto = plainToInstance(EnvDto, raw);
  const errors = validateSync(dto, { forbidUnknownValues: false });
  if (errors.length > 0) {
    throw new ConfigError(
      errors.map((e) => {
        const value = /SECRET|TOKEN|DATABASE_URL/.test(e.property)
          ? '<hidden>'
          : JSON.stringify(e.value);
        return `${e.property}=${value}: ${Object.values(e.constraints ?? {}).join('; ')}`;
      }),
    );
  }
  const dataDir = resolve(dto.TANDEM_DATA_DIR);
  const port = dto.PORT;
  return {
    port,
    host: dto.HOST,
    database: {
      url: dto.DATABASE_URL,
      poolSize: dto.DATABASE_POOL_SIZE,
      dataDir,
      migrationsRun: dto.MIGRATIONS_RUN === 'true',
    },
    logLevel: dto.LOG_LEVEL,
    secret: dto.TANDEM_SECRET ?? localSecret(dataDir),
    operatorToken: dto.TANDEM_OPERATOR_TOKEN,
    publicBaseUrl: (dto.PUBLIC_BASE_URL ?? `http://localhost:${port}`).replace(/\/+$/, ''),
    rateLimitPerMinute: dto.RATE_LIMIT_PER_MINUTE,
    shutdownTimeoutMs: dto.SHUTDOWN_TIMEOUT_MS,
    clickRepeatWindowMinutes: dto.CLICK_REPEAT_WINDOW_MINUTES,
    rewardApprovalIntervalMs: dto.REWARD_APPROVAL_INTERVAL_MS,
    kpiVisitorKeyDays: dto.KPI_VISITOR_KEY_DAYS,
    kpiMaintenanceIntervalMs: dto.KPI_MAINTENANCE_INTERVAL_MS,
    kpiFoldIntervalMs: dto.KPI_FOLD_INTERVAL_MS,
    webhooks: {
      dispatchIntervalMs: dto.WEBHOOKS_DISPATCH_INTERVAL_MS,
      timeoutMs: dto.WEBHOOKS_TIMEOUT_MS,
      retryBaseMs: dto.WEBHOOKS_RETRY_BASE_MS,
      retryMaxDelayMs: dto.WEBHOOKS_RETRY_MAX_DELAY_MS,
      retryWindowMs: dto.WEBHOOKS_RETRY_WINDOW_MS,
      disableAfterFailures: dto.WEBHOOKS_DISABLE_AFTER_FAILURES,
      concurrency: dto.WEBHOOKS_CONCURRENCY,
      retentionDays: dto.WEBHOOKS_RETENTION_DAYS,
      allowHttpLocalhost: dto.WEBHOOKS_ALLOW_HTTP_LOCALHOST === 'true',
      allowPrivateNetworks: dto.WEBHOOKS_ALLOW_PRIVATE_NETWORKS === 'true',
    },
  };
}

/**
 * Where this configuration's service answers on this machine: `http://localhost:<PORT>` when it
 * listens on every interface, else on its HOST (IPv6 in brackets).
 */
export function localServiceUrl(config: Pick<AppConfig, 'host' | 'port'>): string {
  const host = ['0.0.0.0', '::'].includes(config.host)
    ? 'localhost'
    : config.host.includes(':')
      ? `[${config.host}]`
      : config.host;
  return `http://${host}:${config.port}`;
}

/**
 * A zero-config start still needs a stable signing secret (click ids must stay valid across
 * restarts), so one is generated once beside the data directory. Production sets TANDEM_SECRET.
 */
function localSecret(dataDir: string): string {
  const file = resolve(dirname(dataDir), 'secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dirname(file), { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  try {
    writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (e) {
    // Another process created it first: use theirs.
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(file, 'utf8').trim();
    throw e;
  }
}
