import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { appendFileSync } from 'node:fs';

/**
 * Every answer the e2e tests receive is checked against the OpenAPI document the app serves:
 * its status must be documented for the operation, and a JSON or CSV answer must be documented
 * with that media type, a JSON body valid against the schema (OpenAPI 3.0 `nullable` as Ajv
 * reads it: only beside a `type`, and a `$ref` inside `allOf` does not become nullable).
 *
 * OPENAPI_CONFORMANCE=off skips the check; OPENAPI_CONFORMANCE=<file> appends each mismatch to
 * that file instead of failing the request (to survey a change).
 */
export interface ConformanceChecker {
  check(method: string, path: string, status: number, contentType: string, body: unknown): void;
}

type Schema = Record<string, any>;
interface Operation {
  pattern: RegExp;
  template: string;
  responses: Record<string, Schema>;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
const checkers = new Map<string, ConformanceChecker>();

export function conformanceChecker(documentText: string): ConformanceChecker {
  let checker = checkers.get(documentText);
  if (!checker) {
    checker = buildChecker(JSON.parse(documentText));
    checkers.set(documentText, checker);
  }
  return checker;
}

function buildChecker(doc: Schema): ConformanceChecker {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addFormat('int64', { type: 'number', validate: Number.isSafeInteger });
  // Refs inside the document are relative to it: give it an id and point every ref there.
  const rebased = (schema: unknown): Schema =>
    JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"openapi#/components/'));
  ajv.addSchema({ $id: 'openapi', components: rebased(doc.components) });

  const byMethod = new Map<string, Operation[]>();
  for (const [template, item] of Object.entries<Schema>(doc.paths)) {
    const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}/?$`);
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const list = byMethod.get(method) ?? [];
      // Fixed segments before parameters: /v1/rewards/export before /v1/rewards/{id}.
      list.push({ pattern, template, responses: op.responses ?? {} });
      list.sort((a, b) => paramCount(a.template) - paramCount(b.template));
      byMethod.set(method, list);
    }
  }
  const validators = new Map<Schema, ValidateFunction>();
  const validatorOf = (schema: Schema) => {
    let validate = validators.get(schema);
    if (!validate) {
      validate = ajv.compile(rebased(schema));
      validators.set(schema, validate);
    }
    return validate;
  };

  return {
    check(method, url, status, contentType, body) {
      const path = url.split('?')[0]!;
      const lower = method.toLowerCase();
      const ops = byMethod.get(lower === 'head' ? 'get' : lower) ?? [];
      const op = ops.find((o) => o.pattern.test(path));
      if (!op) return; // not an operation of the API (docs, unknown routes): nothing to hold it to
      const where = `${method} ${op.template} → ${status}`;
      const response = op.responses[String(status)] ?? op.responses.default;
      if (!response) throw new Error(`${where}: status not documented`);
      if (lower === 'head' || status === 204 || status === 304) return;
      const mediaType = contentType.split(';')[0]!.trim();
      if (mediaType !== 'application/json' && mediaType !== 'text/csv') return;
      const content = response.content?.[mediaType];
      if (!content) throw new Error(`${where}: ${mediaType} answer not documented`);
      if (mediaType !== 'application/json' || !content.schema) return;
      const validate = validatorOf(content.schema);
      if (!validate(body)) {
        const issues = (validate.errors ?? [])
          .slice(0, 5)
          .map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
        throw new Error(`${where}: body does not match its schema: ${issues.join('; ')}`);
      }
    },
  };
}

const paramCount = (template: string) => (template.match(/\{/g) ?? []).length;

/** The check as the test apps run it, per OPENAPI_CONFORMANCE. */
export function enforceConformance(
  checker: ConformanceChecker,
  method: string,
  path: string,
  response: { status: number; contentType: string; body: unknown },
): void {
  const mode = process.env.OPENAPI_CONFORMANCE ?? 'fail';
  if (mode === 'off') return;
  try {
    checker.check(method, path, response.status, response.contentType, response.body);
  } catch (error) {
    if (mode === 'fail') throw error;
    const test = (globalThis as { expect?: { getState(): { currentTestName?: string } } }).expect;
    appendFileSync(mode, `${(error as Error).message} [${test?.getState().currentTestName}]\n`);
  }
}
