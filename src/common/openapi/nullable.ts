import type { OpenAPIObject } from '@nestjs/swagger';

type Schema = Record<string, unknown>;

/** Only null: what `null` alone validates against under OpenAPI 3.0.3's `nullable`. */
const nullOnly = (): Schema => ({ type: 'object', nullable: true, enum: [null] });

/**
 * In OpenAPI 3.0.3, `nullable` adds null only to the `type` beside it: `{nullable, allOf: [$ref]}`
 * (what @nestjs/swagger writes for a nullable object property) and `{nullable, anyOf: […]}` still
 * refuse null, since each subschema is checked on its own. Such a property becomes an `anyOf`
 * of its schemas and one that takes only null, and a nullable enum lists null, so a strict
 * validator accepts the API's nulls.
 */
export function spellOutNullables(document: OpenAPIObject): void {
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const schema = node as Schema;
    for (const value of Object.values(schema)) visit(value);
    if (schema.nullable !== true) return;
    // 3.0.3: a nullable enum lists null among its values, or null is refused. A new array: the
    // document shares the DTOs' own value lists (CHANNELS…), which validation reads.
    if (Array.isArray(schema.enum) && !schema.enum.includes(null))
      schema.enum = [...schema.enum, null];
    const keyword = schema.oneOf ? 'oneOf' : schema.anyOf ? 'anyOf' : schema.allOf ? 'allOf' : null;
    if (keyword === null) return;
    const choices = schema[keyword] as Schema[];
    if (keyword === 'allOf' && choices.length !== 1) return; // an intersection: not ours to rewrite
    delete schema.nullable;
    delete schema.type;
    delete schema.allOf;
    // oneOf stays oneOf (null matches no other choice); one schema or anyOf become anyOf
    schema[keyword === 'oneOf' ? 'oneOf' : 'anyOf'] = [...choices, nullOnly()];
  };
  visit(document.components?.schemas);
  visit(document.paths);
}
