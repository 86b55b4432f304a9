import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { createApp } from '@/bootstrap';
import { AppConfig, loadConfig } from '@/config/env';
import { BrandService } from '@/modules/brands/brand.service';
import {
  type ConformanceChecker,
  conformanceChecker,
  enforceConformance,
} from './openapi-conformance';

export const TEST_SECRET = 'test-secret-test-secret-test-secret-0123456789';

export interface Brand {
  id: string;
  key: string;
}

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

export interface RequestOptions {
  key?: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  baseUrl: string;
  request<T = any>(method: string, path: string, options?: RequestOptions): Promise<ApiResponse<T>>;
  createBrand(name?: string): Promise<Brand>;
  close(): Promise<void>;
}

/** Environment for a test app: the run's database (from global setup) unless overridden. */
export function testEnv(
  overrides: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  return {
    DATABASE_URL: process.env.DATABASE_URL,
    TANDEM_SECRET: TEST_SECRET,
    LOG_LEVEL: 'silent',
    PORT: '0',
    HOST: '127.0.0.1',
    MIGRATIONS_RUN: 'false',
    PUBLIC_BASE_URL: 'http://links.test',
    ...overrides,
  };
}

/** The whole application on a real port, spoken to over HTTP like any client would. */
export async function startApp(
  overrides: Record<string, string | undefined> = {},
): Promise<TestApp> {
  const config = loadConfig(testEnv(overrides));
  const app = await createApp(config, { bufferLogs: false });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const baseUrl = `http://127.0.0.1:${address.port}`;
  let brandCounter = 0;
  let checker: ConformanceChecker | undefined;
  return {
    app,
    config,
    baseUrl,
    async request(method, path, options = {}) {
      const headers: Record<string, string> = { ...(options.headers ?? {}) };
      if (options.key) headers.authorization = `Bearer ${options.key}`;
      let body: string | undefined;
      if (options.rawBody !== undefined) body = options.rawBody;
      else if (options.body !== undefined) {
        body = JSON.stringify(options.body);
        headers['content-type'] ??= 'application/json';
      }
      const res = await fetch(baseUrl + path, { method, headers, body, redirect: 'manual' });
      const text = await res.text();
      let parsed: any = undefined;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      checker ??= conformanceChecker(await (await fetch(`${baseUrl}/docs-json`)).text());
      enforceConformance(checker, method, path, {
        status: res.status,
        contentType: res.headers.get('content-type') ?? '',
        body: parsed,
      });
      return { status: res.status, body: parsed, text, headers: res.headers };
    },
    async createBrand(name) {
      brandCounter += 1;
      const created = await app
        .get(BrandService)
        .createWithAdminKey(name ?? `Brand ${brandCounter}`);
      return { id: created.brand.id, key: created.apiKey.secret };
    },
    async close() {
      await app.close();
    },
  };
}

/** Rows of `FROM …` (a table and its WHERE), read from the app's own database. */
export function rowCounter(t: TestApp) {
  const db = t.app.get(DataSource);
  return async (from: string, params: unknown[]): Promise<number> =>
    (await db.query(`SELECT count(*)::int AS n FROM ${from}`, params))[0].n as number;
}
