import { PATH_METADATA } from '@nestjs/common/constants';
import { FASTIFY_ROUTE_CONFIG_METADATA } from '@nestjs/platform-fastify/constants';
import type { FastifyRequest } from 'fastify';

type Config = Record<string, unknown>;

/**
 * Adds entries to a route handler's Fastify route config (what `request.routeOptions.config`
 * holds, for hooks that run before Nest's guards). Nest reads that config from the method's
 * metadata, where `@RouteConfig` would replace what another decorator put there; this merges.
 * Existing entries win unless `overwrite`.
 */
export function addRouteConfig(handler: object, entries: Config, overwrite = true): void {
  const config = (Reflect.getMetadata(FASTIFY_ROUTE_CONFIG_METADATA, handler) as Config) ?? {};
  Reflect.defineMetadata(
    FASTIFY_ROUTE_CONFIG_METADATA,
    overwrite ? { ...config, ...entries } : { ...entries, ...config },
    handler,
  );
}

/**
 * A decorator that puts entries in the route config of the route it decorates, or on a
 * controller, of each of its routes that has not set them itself (method decorators run first).
 */
export function RouteConfigEntries(entries: Config): ClassDecorator & MethodDecorator {
  return (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
    if (descriptor) {
      addRouteConfig(descriptor.value as object, entries);
      return;
    }
    const prototype = (target as { prototype: object }).prototype;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const handler: unknown = Object.getOwnPropertyDescriptor(prototype, name)?.value;
      if (typeof handler !== 'function' || name === 'constructor') continue;
      if (Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
      addRouteConfig(handler, entries, false);
    }
  };
}

/** An entry of the route config of the route a request matched. */
export const routeConfigOf = (request: FastifyRequest, key: string): unknown =>
  (request.routeOptions.config as unknown as Config | undefined)?.[key];
