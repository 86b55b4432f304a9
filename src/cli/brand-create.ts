/**
 * Operator bootstrap: `npm run brand:create -- --name "Acme" [--json]` creates a brand and its
 * first admin key. Works whether or not the service is running (see openCliDataSource).
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { DataSource } from 'typeorm';
import { AppConfig, loadConfig, localServiceUrl } from '@/config/env';
import { openCliDataSource } from '@/database/cli-data-source';
import { ApiKeyRepository } from '@/modules/brands/api-key.repository';
import { ApiKeyService } from '@/modules/brands/api-key.service';
import { BrandService, CreatedBrand } from '@/modules/brands/brand.service';

export async function createBrand(dataSource: DataSource, name: string): Promise<CreatedBrand> {
  const apiKeys = new ApiKeyService(new ApiKeyRepository(dataSource));
  return new BrandService(dataSource, apiKeys).createWithAdminKey(name);
}

/**
 * The command cannot see the service, only its own environment: the URL it prints comes from
 * PORT and HOST as the service reads them, and says so, since the service may have had others.
 */
export function tryIt(config: Pick<AppConfig, 'host' | 'port'>, apiKey: string): string {
  const curl = (url: string) => `  curl -H "Authorization: Bearer ${apiKey}" ${url}/v1/api-keys\n`;
  if (config.port === 0) {
    return `Try it, with the address of the running service (PORT=0 picks a free port):\n${curl('http://<host>:<port>')}`;
  }
  const url = localServiceUrl(config);
  return (
    `Try it (the service at ${url}, from PORT and HOST here; if it was started with other ` +
    `values, use its address):\n${curl(url)}`
  );
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
          tryIt(config, created.apiKey.secret),
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
