/**
 * Operator bootstrap: `npm run brand:create -- --name "Acme" [--json]` creates a brand and its
 * first admin key. Works whether or not the service is running (see openCliDataSource).
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { DataSource } from 'typeorm';
import { loadConfig } from '@/config/env';
import { openCliDataSource } from '@/database/cli-data-source';
import { ApiKeyRepository } from '@/modules/brands/api-key.repository';
import { ApiKeyService } from '@/modules/brands/api-key.service';
import { BrandService, CreatedBrand } from '@/modules/brands/brand.service';

export async function createBrand(dataSource: DataSource, name: string): Promise<CreatedBrand> {
  const apiKeys = new ApiKeyService(new ApiKeyRepository(dataSource));
  return new BrandService(dataSource, apiKeys).createWithAdminKey(name);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { name: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  const name = values.name?.trim();
  if (!name || name.length > 200) {
    throw new Error(
      'usage: npm run brand:create -- --name "Acme" [--json]   (name: 1-200 characters)',
    );
  }
  const config = loadConfig();
  const { dataSource, close } = await openCliDataSource(config, true);
  try {
    const created = await createBrand(dataSource, name);
    if (values.json) {
      process.stdout.write(
        `${JSON.stringify({ brandId: created.brand.id, apiKey: created.apiKey.secret })}\n`,
      );
    } else {
      process.stdout.write(
        `Created brand "${created.brand.name}" (${created.brand.id}).\n` +
          `Admin API key (shown once, store it now):\n\n  ${created.apiKey.secret}\n\n` +
          `Try it: curl -H "Authorization: Bearer ${created.apiKey.secret}" http://localhost:${config.port}/v1/api-keys\n`,
      );
    }
  } finally {
    await close();
  }
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(1);
  });
}
