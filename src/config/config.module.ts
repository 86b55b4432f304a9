import { Global, Module } from '@nestjs/common';
import { AppConfig } from '@/config/env';

export const APP_CONFIG = Symbol('APP_CONFIG');

/** Provides the validated AppConfig; built once in bootstrap and passed in. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig) {
    return {
      module: ConfigModule,
      providers: [{ provide: APP_CONFIG, useValue: config }],
      exports: [APP_CONFIG],
    };
  }
}
