import { createParamDecorator, ExecutionContext } from '@nestjs/common';

type Factory<T> = (data: T, ctx: ExecutionContext) => unknown;

const bodyReaders = new WeakSet<object>();

/**
 * `createParamDecorator` for a parameter read from the request body (an optional body, a note):
 * the route then takes a body, so DeclaredInputGuard lets one through.
 */
export function createBodyParamDecorator<T>(factory: Factory<T>) {
  bodyReaders.add(factory);
  return createParamDecorator(factory);
}

export const readsBody = (factory: unknown): boolean =>
  typeof factory === 'function' && bodyReaders.has(factory);
