import type { IncomingHttpHeaders } from 'node:http';
import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import type { FastifyRequest } from 'fastify';
import { AppError } from '@/common/errors/app-error';
import { readsBody } from '@/common/http/body-param';
import { isCsvRoute } from '@/common/http/csv-body';

interface Inputs {
  query: boolean;
  body: boolean;
}

/**
 * Global guard, after authentication and rate limiting: a route that declares no query answers
 * 400 to any query parameter, and one that takes no body to a body with fields, as a route with
 * a query or body DTO answers an unknown field. (`POST /v1/events?dryRun=true` recorded the
 * event; `{"force": true}` sent to `…/approve` was ignored.) No body, or `{}`, is always fine.
 * Only the API (`/v1/…`) is held to this: a friend's browser following a tracked link must never
 * get a 400, nor a monitor adding a parameter to the health check.
 */
@Injectable()
export class DeclaredInputGuard implements CanActivate {
  private readonly inputs = new WeakMap<object, Inputs>();

  canActivate(context: ExecutionContext): boolean {
    const handler = context.getHandler();
    let inputs = this.inputs.get(handler);
    if (inputs === undefined) {
      inputs = this.declaredInputs(context);
      this.inputs.set(handler, inputs);
    }
    if (inputs.query && inputs.body) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (!inputs.query) {
      const keys = Object.keys((request.query as object | undefined) ?? {});
      if (keys.length > 0) throw notAllowed(keys);
    }
    if (!inputs.body) {
      // Fastify does not read a GET's body: one sent is refused here, as on any other operation.
      if (request.body === undefined && carriesBody(request.raw.headers)) {
        throw AppError.field('body', 'must be empty: this operation takes no body');
      }
      refuseBody(request.body);
    }
    return true;
  }

  private declaredInputs(context: ExecutionContext): Inputs {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (!request.routeOptions.url?.startsWith('/v1/')) return { query: true, body: true };
    const args = Object.entries(
      (Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), context.getHandler().name) ??
        {}) as Record<string, { factory?: unknown }>,
    );
    const typeOf = (key: string) => Number(key.split(':')[0]);
    return {
      query: args.some(([key]) => typeOf(key) === RouteParamtypes.QUERY),
      body:
        isCsvRoute(request) ||
        args.some(([key, arg]) => typeOf(key) === RouteParamtypes.BODY || readsBody(arg.factory)),
    };
  }
}

function refuseBody(body: unknown): void {
  if (body === undefined || body === null) return;
  if (typeof body === 'object' && !Array.isArray(body)) {
    const keys = Object.keys(body);
    if (keys.length === 0) return;
    throw notAllowed(keys);
  }
  throw AppError.field('body', 'must be empty: this operation takes no body');
}

function carriesBody(headers: IncomingHttpHeaders): boolean {
  const length = headers['content-length'];
  return headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

const notAllowed = (fields: string[]) =>
  AppError.validation(fields.map((field) => ({ field, issue: 'is not an allowed field' })));
