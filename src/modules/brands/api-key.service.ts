import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DatabaseLifecycle } from '@/database/database.module';
import { EntityManager } from 'typeorm';
import { AppError } from '@/common/errors/app-error';
import { Principal } from '@/common/auth/principal';
import { newApiKeySecret, sha256Hex } from '@/common/auth/secret';
import { LruCache } from '@/common/cache/lru-cache';
import { newId } from '@/common/ids';
import { decodeCursor, Page, toPage } from '@/common/pagination/pagination';
import { ApiKeyScope } from '@/modules/brands/api-key.entity';
import { ApiKeyRepository } from '@/modules/brands/api-key.repository';
import { ApiKeyDto, CreatedApiKeyDto, toApiKeyDto } from '@/modules/brands/dto/api-key.dto';

// A revoked key stops working at once on this instance and within this time on the others.
const CACHE_TTL_MS = 10_000;
const CACHE_MAX = 10_000;
const LAST_USED_RESOLUTION_MS = 60_000;

@Injectable()
export class ApiKeyService implements OnModuleInit {
  private readonly logger = new Logger(ApiKeyService.name);
  private readonly cache = new LruCache<string, Principal | null>(CACHE_MAX);
  private readonly lastUsedWritten = new Map<string, number>();
  private readonly pendingWrites = new Set<Promise<void>>();

  constructor(
    private readonly keys: ApiKeyRepository,
    private readonly lifecycle?: DatabaseLifecycle,
  ) {}

  onModuleInit(): void {
    // lastUsedAt writes run off the request path; let them land before the pool closes.
    this.lifecycle?.addDrain(async () => {
      await Promise.all([...this.pendingWrites]);
    });
  }

  async create(
    brandId: string,
    name: string,
    scopes: ApiKeyScope[],
    em?: EntityManager,
  ): Promise<CreatedApiKeyDto> {
    const secret = newApiKeySecret();
    const entity = await this.keys.insert(
      {
        id: newId('apiKey'),
        brandId,
        name,
        scopes: [...new Set(scopes)],
        prefix: secret.slice(0, 12),
        secretHash: sha256Hex(secret),
      },
      em,
    );
    return { ...toApiKeyDto(entity), secret };
  }

  async list(brandId: string, limit: number, cursor?: string): Promise<Page<ApiKeyDto>> {
    const list = { list: 'api-keys', brandId };
    const rows = await this.keys.listByBrand(
      brandId,
      limit,
      decodeCursor(cursor, 'timestamp', list),
    );
    return toPage(rows, limit, (k) => ({ k: k.cursorAt, id: k.id }), toApiKeyDto, list);
  }

  async revoke(brandId: string, id: string): Promise<void> {
    const key = await this.keys.findByIdForBrand(brandId, id);
    if (!key) throw AppError.notFound('API key');
    const outcome = await this.keys.revoke(brandId, id);
    if (outcome === 'last_admin') {
      throw new AppError(
        'conflict',
        "This is the brand's last active admin key; create another admin key first",
        [{ field: 'id', issue: 'is the last active admin key' }],
      );
    }
    this.cache.delete(key.secretHash);
  }

  /** Resolves a presented secret to its principal, or null when unknown or revoked. */
  async authenticate(secret: string): Promise<Principal | null> {
    const hash = sha256Hex(secret);
    const now = Date.now();
    let principal = this.cache.get(hash, now);
    if (principal === undefined) {
      const row = await this.keys.findActiveByHash(hash);
      principal = row ? { brandId: row.brandId, keyId: row.id, scopes: row.scopes } : null;
      this.cache.set(hash, principal, now + CACHE_TTL_MS);
    }
    if (principal) this.recordUse(principal.keyId, now);
    return principal;
  }

  /** lastUsedAt is kept to the minute; written off the request path. */
  private recordUse(keyId: string, now: number): void {
    const last = this.lastUsedWritten.get(keyId) ?? 0;
    if (now - last < LAST_USED_RESOLUTION_MS) return;
    this.lastUsedWritten.set(keyId, now);
    const write = this.keys
      .touchLastUsed(keyId, new Date(now))
      .catch((err: unknown) => this.logger.warn({ err, keyId }, 'could not record API key use'))
      .finally(() => this.pendingWrites.delete(write));
    this.pendingWrites.add(write);
  }
}
