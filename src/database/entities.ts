import { ApiKeyEntity } from '@/modules/brands/api-key.entity';
import { BrandEntity } from '@/modules/brands/brand.entity';

/** Every TypeORM entity, registered once for the app, the tests and the migration CLI. */
export const ENTITIES = [BrandEntity, ApiKeyEntity];
