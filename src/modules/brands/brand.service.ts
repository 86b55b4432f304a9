import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { newId } from '@/common/ids';
import { BrandEntity } from '@/modules/brands/brand.entity';
import { ApiKeyService } from '@/modules/brands/api-key.service';
import { CreatedApiKeyDto } from '@/modules/brands/dto/api-key.dto';

export interface CreatedBrand {
  brand: { id: string; name: string; createdAt: string };
  apiKey: CreatedApiKeyDto;
}

@Injectable()
export class BrandService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly apiKeys: ApiKeyService,
  ) {}

  /** A brand and its first admin key, together or not at all. */
  createWithAdminKey(name: string): Promise<CreatedBrand> {
    return this.dataSource.transaction(async (em) => {
      const id = newId('brand');
      await em.insert(BrandEntity, { id, name });
      const brand = await em.findOneByOrFail(BrandEntity, { id });
      const apiKey = await this.apiKeys.create(id, 'Initial admin key', ['admin'], em);
      return { brand: { id, name, createdAt: brand.createdAt.toISOString() }, apiKey };
    });
  }
}
