import { Module } from '@nestjs/common';
import { ApiKeyController } from '@/modules/brands/api-key.controller';
import { ApiKeyRepository } from '@/modules/brands/api-key.repository';
import { ApiKeyService } from '@/modules/brands/api-key.service';
import { BrandController } from '@/modules/brands/brand.controller';
import { BrandService } from '@/modules/brands/brand.service';

@Module({
  controllers: [BrandController, ApiKeyController],
  providers: [ApiKeyRepository, ApiKeyService, BrandService],
  exports: [ApiKeyService, BrandService],
})
export class BrandsModule {}
