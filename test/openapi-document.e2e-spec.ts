import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ModulesContainer } from '@nestjs/core';
import { getMetadataStorage } from 'class-validator';
import { anyCase } from '@/common/openapi/schema';
import { startApp, TestApp } from './helpers/app';
import { BALANCE_FIGURES } from './helpers/payouts';

/**
 * The OpenAPI document says what the service does: rules checked on the document the real app
 * serves, for every schema and operation, so they hold for DTOs added later too. The first
 * rules compare each DTO's validation rules (class-validator's metadata) with its schema.
 */

type Schema = Record<string, any>;
type Class = abstract new (...args: never[]) => unknown;
type ValidationMetadata = ReturnType<
  ReturnType<typeof getMetadataStorage>['getTargetValidationMetadatas']
>[number];
/** @nestjs/swagger's metadata keys (its package exports no constants). */
const API_MODEL_PROPERTIES = 'swagger/apiModelProperties';
const API_MODEL_PROPERTIES_ARRAY = 'swagger/apiModelPropertiesArray';
interface Site {
  /** `Schema.property`, or `METHOD /path ?param`, naming a failure. */
  name: string;
  schema: Schema;
}

const METHODS = ['get', 'put', 'post', 'patch', 'delete'];
const INT32_MAX = 2 ** 31 - 1;
/** Validators of whole numbers: their values are `integer` in the document. */
const INTEGER_RULES = new Set(['isInt', 'isAmount', 'isIntInRange', 'isQueryInt']);
/** Validators whose constraints are [minimum, maximum]. */
const RANGE_RULES = new Set(['isAmount', 'isIntInRange', 'isQueryInt', 'isNumberInRange']);
/**
 * The only real (non-integer) numbers of the API: ratios, percents and goal-score weights. Any
 * other `number` is a count or money, whole and documented `integer`. `*.name`: in any schema.
 */
const REAL_NUMBERS = new Set([
  '*.ctr',
  '*.conversionRate',
  '*.roi',
  '*.kFactor',
  '*.conversionsPerShare',
  '*.conversionsPerClick',
  '*.percent',
  'KpiWeightsDto.reach',
  'KpiWeightsDto.sharing',
  'KpiWeightsDto.conversion',
  'GoalWeightsDto.reach',
  'GoalWeightsDto.sharing',
  'GoalWeightsDto.conversion',
  'GoalScoreDto.score',
  'GoalScoreDto.reach',
  'GoalScoreDto.sharing',
  'GoalScoreDto.conversion',
]);
/** Money not named `amount` or `…Amount`: the KPI sums, in minor units. */
const MONEY_NAMES = new Set([
  'grossRevenue',
  'refunds',
  'revenue',
  'rewardCost',
  'programCost',
  'costPerAcquisition',
  'averageOrderValue',
  'ctaValue',
  'programBudget',
]);
/** The money figures of the balance schemas (GET /v1/payouts/balances). */
const BALANCE_FIGURE_NAMES = new Set<string>(BALANCE_FIGURES);

/** Every property schema of every component schema. */
function propertySites(doc: any): Site[] {
  const sites: Site[] = [];
  for (const [name, schema] of Object.entries<Schema>(doc.components.schemas)) {
    for (const [prop, s] of Object.entries<Schema>(schema.properties ?? {})) {
      sites.push({ name: `${name}.${prop}`, schema: s });
    }
  }
  return sites;
}

function parameterSites(doc: any): Site[] {
  return operations(doc).flatMap(({ name, op }) =>
    (op.parameters ?? []).map((p: any) => ({ name: `${name} ?${p.name}`, schema: p.schema })),
  );
}

function operations(doc: any): { name: string; path: string; method: string; op: any }[] {
  return Object.entries<any>(doc.paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((m) => ({
      name: `${m.toUpperCase()} ${path}`,
      path,
      method: m,
      op: item[m],
    })),
  );
}

/** The type a site holds: its items' for an array of numbers or strings. */
const scalar = (s: Schema): Schema => (s.type === 'array' ? (s.items ?? {}) : s);
const propName = (site: Site) => site.name.split(/[.?]/).pop()!;
const isMoneyName = (site: Site) => {
  const [schema, prop] = site.name.split('.') as [string, string];
  return (
    prop === 'amount' ||
    prop.endsWith('Amount') ||
    MONEY_NAMES.has(prop) ||
    (schema.includes('Balance') && BALANCE_FIGURE_NAMES.has(prop))
  );
};

/** Every schema reachable from one (through $ref, allOf, items and properties), by its path. */
function reachable(doc: any, start: Schema, path = '', seen = new Set<Schema>()): Site[] {
  if (!start || typeof start !== 'object' || seen.has(start)) return [];
  seen.add(start);
  const out: Site[] = [{ name: path, schema: start }];
  const next: [string, Schema][] = [];
  if (start.$ref) next.push([path, doc.components.schemas[start.$ref.split('/').pop()]]);
  for (const key of ['allOf', 'oneOf', 'anyOf'])
    next.push(...(start[key] ?? []).map((s: Schema) => [path, s] as [string, Schema]));
  if (start.items) next.push([`${path}[]`, start.items]);
  for (const [prop, s] of Object.entries<Schema>(start.properties ?? {}))
    next.push([path ? `${path}.${prop}` : prop, s]);
  for (const [p, s] of next) out.push(...reachable(doc, s, p, seen));
  return out;
}

/** A nullable schema's rules, null itself set aside (a `null` enum value or an only-null choice). */
function withoutNull(s: Schema): Schema {
  const onlyNull = (x: Schema) => JSON.stringify(x.enum) === '[null]';
  const out = { ...s };
  if (out.enum) out.enum = out.enum.filter((v: unknown) => v !== null);
  if (out.anyOf) {
    out.anyOf = out.anyOf.filter((x: Schema) => !onlyNull(x));
    if (out.anyOf.length === 1) return withoutNull({ ...out.anyOf[0], ...out, anyOf: undefined });
  }
  return out;
}

/**
 * What a schema must say for a property's validation rules; one line per rule it breaks.
 * Nested objects ($ref) are checked as schemas of their own.
 */
function ruleGaps(site: Site, rules: ValidationMetadata[]): string[] {
  const gaps: string[] = [];
  const expect = (what: string, actual: unknown, wanted: unknown) => {
    if (JSON.stringify(actual) !== JSON.stringify(wanted))
      gaps.push(
        `${site.name}: ${what} is ${JSON.stringify(actual)}, validated ${JSON.stringify(wanted)}`,
      );
  };
  for (const rule of rules) {
    const s = withoutNull(rule.each ? (site.schema.items ?? {}) : site.schema);
    const c = (rule.constraints ?? []) as any[];
    const name = rule.name ?? '';
    if (INTEGER_RULES.has(name)) expect('type', s.type, 'integer');
    if (name === 'isAmount') expect('format', s.format, 'int64');
    if (RANGE_RULES.has(name)) {
      expect('minimum', s.minimum, c[0]);
      expect('maximum', s.maximum, c[1]);
    }
    if (name === 'min') expect('minimum', s.minimum, c[0]);
    if (name === 'max') expect('maximum', s.maximum, c[0]);
    // A closed list (enum) is stricter than any length or pattern.
    if (s.enum === undefined) {
      if (name === 'isText') {
        if (c[0] > 0) expect('minLength', s.minLength, c[0]);
        expect('maxLength', s.maxLength, c[1]);
      }
      if (name === 'minLength' && c[0] > 0) expect('minLength', s.minLength, c[0]);
      if (name === 'maxLength') expect('maxLength', s.maxLength, c[0]);
      if (name === 'matches') {
        // a value folded to one case before the check is documented with both cases
        const pattern = c[0] as RegExp;
        if (s.pattern !== anyCase(pattern)) expect('pattern', s.pattern, pattern.source);
      }
      if (name === 'isString') expect('type', s.type, 'string');
    }
    if (name === 'isBoolean') expect('type', s.type, 'boolean');
    if (name === 'isIn') expect('enum', [...(s.enum ?? [])].sort(), [...c[0]].sort());
    if (name === 'arrayMinSize') expect('minItems', site.schema.minItems, c[0]);
    if (name === 'arrayMaxSize') expect('maxItems', site.schema.maxItems, c[0]);
    if (name === 'arrayUnique') expect('uniqueItems', site.schema.uniqueItems, true);
    // a time with its zone, or a date: `format: date-time` alone would refuse the date
    if (name === 'isTimestamp')
      expect(
        'formats',
        (s.anyOf ?? [{ format: s.format }]).map((x: Schema) => x.format),
        ['date-time', 'date'],
      );
  }
  return gaps;
}

/** Each class's validation rules by property, its ancestors' included. */
function rulesOf(target: Class): Map<string, ValidationMetadata[]> {
  const byProperty = new Map<string, ValidationMetadata[]>();
  for (const m of getMetadataStorage().getTargetValidationMetadatas(target, '', true, false)) {
    byProperty.set(m.propertyName, [...(byProperty.get(m.propertyName) ?? []), m]);
  }
  return byProperty;
}

describe('OpenAPI document', () => {
  let t: TestApp;
  let doc: any;
  beforeAll(async () => {
    t = await startApp();
    doc = (await t.request('GET', '/docs-json')).body;
  });
  afterAll(() => t.close());

  describe('says what each DTO validates', () => {
    it('in every schema of a DTO: integers, money, ranges, lengths, patterns, lists', () => {
      const gaps: string[] = [];
      let checked = 0;
      const classes = dtoClasses(handlers(t).flatMap((h) => h.paramTypes));
      for (const [name, schema] of Object.entries<Schema>(doc.components.schemas)) {
        const target = classes.get(name);
        if (!target) continue;
        for (const [prop, rules] of rulesOf(target)) {
          const s = schema.properties?.[prop];
          expect([name, prop, s !== undefined]).toEqual([name, prop, true]);
          checked += 1;
          gaps.push(...ruleGaps({ name: `${name}.${prop}`, schema: s }, rules));
        }
      }
      expect(checked).toBeGreaterThan(150);
      expect(gaps).toEqual([]);
    });

    it('in every query parameter', () => {
      const gaps: string[] = [];
      let checked = 0;
      const byId = new Map(operations(doc).map((o) => [o.op.operationId as string, o]));
      for (const handler of handlers(t)) {
        const op = byId.get(handler.operationId);
        for (const query of handler.queries) {
          expect([handler.operationId, op !== undefined]).toEqual([handler.operationId, true]);
          for (const [prop, rules] of rulesOf(query)) {
            const p = op!.op.parameters?.find((x: any) => x.in === 'query' && x.name === prop);
            expect([op!.name, prop, p !== undefined]).toEqual([op!.name, prop, true]);
            checked += 1;
            gaps.push(...ruleGaps({ name: `${op!.name} ?${prop}`, schema: p.schema }, rules));
          }
        }
      }
      expect(checked).toBeGreaterThan(50);
      expect(gaps).toEqual([]);
    });
  });

  describe('types numbers as they are', () => {
    it('documents counts and money as integers: the only `number`s are ratios, percents and weights', () => {
      const real = (site: Site) => {
        const [schema, prop] = site.name.split('.');
        return REAL_NUMBERS.has(`*.${prop}`) || REAL_NUMBERS.has(`${schema}.${prop}`);
      };
      const numbers = [...propertySites(doc), ...parameterSites(doc)].filter(
        (site) => scalar(site.schema ?? {}).type === 'number',
      );
      expect(numbers.filter((site) => !real(site)).map((site) => site.name)).toEqual([]);
      // the KPI ratios of three schemas, percents and weights
      expect(numbers.length).toBeGreaterThanOrEqual(30);
    });

    it('documents money (amount, …Amount, KPI money, balances) as 64-bit integers', () => {
      const money = propertySites(doc).filter(isMoneyName);
      expect(money.length).toBeGreaterThan(40);
      const wrong = money
        .map((site) => ({ ...site, schema: withoutNull(site.schema) }))
        .filter((site) => site.schema.$ref === undefined && site.schema.allOf === undefined)
        .filter((site) => site.schema.type !== 'integer' || site.schema.format !== 'int64')
        .map((site) => `${site.name} ${site.schema.type} ${site.schema.format}`);
      expect(wrong).toEqual([]);
    });

    it('names int64 for every integer that can pass 32 bits', () => {
      const wrong = [...propertySites(doc), ...parameterSites(doc)]
        .map((site) => ({ ...site, schema: scalar(site.schema ?? {}) }))
        .filter((site) => site.schema.type === 'integer' && (site.schema.maximum ?? 0) > INT32_MAX)
        .filter((site) => site.schema.format !== 'int64')
        .map((site) => site.name);
      expect(wrong).toEqual([]);
    });

    it('keeps the KPI ratios real numbers and the KPI counts integers', () => {
      const kpis = doc.components.schemas.ProgramKpisDto.properties;
      expect([kpis.roi.type, kpis.conversionRate.type, kpis.kFactor.type]).toEqual([
        'number',
        'number',
        'number',
      ]);
      expect([kpis.clicks.type, kpis.conversions.type, kpis.revenue.format]).toEqual([
        'integer',
        'integer',
        'int64',
      ]);
    });
  });

  it('declares no default in any schema a PATCH body uses: only the fields sent change', () => {
    const patches = operations(doc).filter((o) => o.method === 'patch');
    expect(patches.length).toBeGreaterThanOrEqual(5);
    const defaults: string[] = [];
    for (const { name, op } of patches) {
      const body = op.requestBody?.content?.['application/json']?.schema;
      for (const site of reachable(doc, body)) {
        if (site.schema.default !== undefined)
          defaults.push(`${name} ${site.name}=${JSON.stringify(site.schema.default)}`);
      }
    }
    expect(defaults).toEqual([]);
    // the create bodies still say what a create leaves out takes
    const create = doc.components.schemas;
    expect([
      create.CreateProgramDto.properties.holdDays.default,
      create.CreateAdvocateDto.properties.tier.default,
      create.CreateAdvocateDto.properties.status.default,
      create.AttributionInputDto.properties.windowDays.default,
    ]).toEqual([30, 'customer', 'active', 30]);
  });

  it('answers a response enum like the query parameter it echoes (interval=hour…)', () => {
    const gaps: string[] = [];
    for (const { name, op } of operations(doc)) {
      const ref = op.responses['200']?.content?.['application/json']?.schema?.$ref;
      if (!ref) continue;
      const props = doc.components.schemas[ref.split('/').pop()].properties ?? {};
      for (const p of op.parameters ?? []) {
        if (p.in !== 'query' || !p.schema?.enum || !props[p.name]) continue;
        if (JSON.stringify(props[p.name].enum) !== JSON.stringify(p.schema.enum))
          gaps.push(`${name} ${p.name}: ${JSON.stringify(props[p.name].enum)}`);
      }
    }
    expect(gaps).toEqual([]);
    const timeseries = doc.components.schemas.KpiTimeseriesDto.properties.interval;
    expect(timeseries.enum).toContain('hour');
  });

  it('lists the values of a field that is a closed list elsewhere', () => {
    // a string property named like an enum of another schema is that enum too
    const enums = new Map<string, Site[]>();
    const strings = new Map<string, Site[]>();
    for (const site of propertySites(doc)) {
      const s = scalar(site.schema);
      const target = s.enum ? enums : s.type === 'string' && !s.format ? strings : undefined;
      target?.set(propName(site), [...(target.get(propName(site)) ?? []), site]);
    }
    const free = [...strings]
      .filter(([prop]) => enums.has(prop))
      .flatMap(([, sites]) => sites.map((site) => site.name));
    expect(free).toEqual([]);
  });

  it('describes the API keys and operator token as opaque bearer tokens, not JWTs', () => {
    const schemes = Object.entries<any>(doc.components.securitySchemes);
    expect(schemes.map(([name]) => name).sort()).toEqual(['apiKey', 'operatorToken']);
    for (const [, scheme] of schemes) {
      expect(scheme).toMatchObject({ type: 'http', scheme: 'bearer' });
      expect(scheme.bearerFormat).toEqual(expect.stringContaining('opaque'));
      expect(scheme.bearerFormat).not.toMatch(/jwt/i);
    }
  });

  describe('responses', () => {
    const responses = () =>
      operations(doc).flatMap(({ name, op }) =>
        Object.entries<any>(op.responses).map(([status, r]) => ({
          name: `${name} ${status}`,
          status,
          r,
          op,
        })),
      );
    const header = (r: any, wanted: string) =>
      Object.keys(r.headers ?? {}).find((h) => h.toLowerCase() === wanted.toLowerCase());

    it('types CSV, NDJSON and HTML bodies as strings, JSON as its schema', () => {
      const wrong: string[] = [];
      let csv = 0;
      for (const { name, r } of responses()) {
        for (const [type, media] of Object.entries<any>(r.content ?? {})) {
          if (type === 'application/json') {
            if (!media.schema?.$ref && media.schema?.type !== 'object')
              wrong.push(`${name} ${type}`);
          } else if (media.schema?.type !== 'string') wrong.push(`${name} ${type}`);
          if (type === 'text/csv') csv += 1;
        }
      }
      expect(wrong).toEqual([]);
      expect(csv).toBeGreaterThanOrEqual(6); // five KPI operations and the payout export
    });

    it('declares Retry-After on every 429, Content-Disposition on every file', () => {
      const all = responses();
      expect(all.filter(({ status }) => status === '429').length).toBeGreaterThan(50);
      expect(
        all
          .filter(({ status, r }) => status === '429' && !header(r, 'Retry-After'))
          .map(({ name }) => name),
      ).toEqual([]);
      const files = all.filter(({ r }) =>
        Object.keys(r.content ?? {}).some((type) => /csv|ndjson/.test(type)),
      );
      expect(files.length).toBe(6);
      expect(
        files.filter(({ r }) => !header(r, 'Content-Disposition')).map(({ name }) => name),
      ).toEqual([]);
    });

    it('declares the headers an operation describes (Idempotent-Replay, X-Next-Cursor)', () => {
      const missing: string[] = [];
      for (const { name, op } of operations(doc)) {
        const replay = /Idempotent-Replay/.test(op.description ?? '');
        if (replay && !header(op.responses['200'] ?? {}, 'Idempotent-Replay'))
          missing.push(`${name} Idempotent-Replay`);
        if (
          /X-Next-Cursor/.test(op.description ?? '') &&
          !header(op.responses['200'] ?? {}, 'X-Next-Cursor')
        )
          missing.push(`${name} X-Next-Cursor`);
      }
      expect(missing).toEqual([]);
      const replays = operations(doc).filter(({ op }) =>
        header(op.responses['200'] ?? {}, 'Idempotent-Replay'),
      );
      expect(replays.map(({ name }) => name).sort()).toEqual([
        'POST /v1/events',
        'POST /v1/payout-batches',
      ]);
    });

    it('declares X-Request-Id on every answer', () => {
      const all = responses();
      expect(all.filter(({ r }) => !header(r, 'x-request-id')).map(({ name }) => name)).toEqual([]);
    });

    it("documents the redirect's 503 page, as HTML like its 404", () => {
      const redirect = doc.paths['/r/{slug}'].get.responses;
      for (const status of ['404', '503']) {
        expect([status, Object.keys(redirect[status].content)]).toEqual([status, ['text/html']]);
      }
      expect(header(redirect['503'], 'Retry-After')).toBeDefined();
    });
  });

  it('answers as documented: Retry-After on a 429, the headers of a KPI CSV', async () => {
    const limited = await startApp({ RATE_LIMIT_PER_MINUTE: '1' });
    try {
      const brand = await limited.createBrand();
      await limited.request('GET', '/v1/api-keys', { key: brand.key });
      const refused = await limited.request('GET', '/v1/api-keys', { key: brand.key });
      expect([refused.status, Number(refused.headers.get('retry-after')) > 0]).toEqual([429, true]);
      expect(refused.headers.get('x-request-id')).toBeTruthy();
    } finally {
      await limited.close();
    }
    const brand = await t.createBrand();
    const csv = await t.request('GET', '/v1/kpis?format=csv', { key: brand.key });
    expect([csv.status, csv.headers.get('content-type')]).toEqual([200, 'text/csv; charset=utf-8']);
    expect(csv.headers.get('content-disposition')).toMatch(/^attachment; filename=".+\.csv"$/);
  });
});

interface Handler {
  /** Swagger's operationId: `Controller_method`. */
  operationId: string;
  /** The classes of the handler's parameters (bodies, queries…). */
  paramTypes: Class[];
  /** The DTO classes of its whole `@Query()`. */
  queries: Class[];
}

/** Every route handler of the app, with the DTO classes it takes. */
function handlers(t: TestApp): Handler[] {
  const out: Handler[] = [];
  for (const module of t.app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Class;
      for (const method of Object.getOwnPropertyNames(controller.prototype)) {
        if (method === 'constructor') continue;
        const args: Record<string, { index: number; data?: unknown }> =
          Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, method) ?? {};
        const types: Class[] =
          Reflect.getMetadata('design:paramtypes', controller.prototype, method) ?? [];
        const queries = Object.entries(args)
          .filter(([key, arg]) => Number(key.split(':')[0]) === RouteParamtypes.QUERY && !arg.data)
          .map(([, arg]) => types[arg.index]!);
        out.push({ operationId: `${controller.name}_${method}`, paramTypes: types, queries });
      }
    }
  }
  return out;
}

/**
 * The DTO classes by name (a schema's name is its class's): the handlers' parameter classes and
 * every class their OpenAPI properties name, nested ones included.
 */
function dtoClasses(roots: Class[]): Map<string, Class> {
  const found = new Map<string, Class>();
  const visit = (value: unknown) => {
    if (typeof value !== 'function' || !value.prototype || found.has(value.name)) return;
    const type = value as Class;
    const props: string[] = Reflect.getMetadata(API_MODEL_PROPERTIES_ARRAY, type.prototype) ?? [];
    if (
      props.length === 0 &&
      getMetadataStorage().getTargetValidationMetadatas(type, '', true, false).length === 0
    )
      return;
    found.set(type.name, type);
    for (const key of props) {
      const meta = Reflect.getMetadata(API_MODEL_PROPERTIES, type.prototype, key.slice(1));
      visit(meta?.type);
    }
  };
  roots.forEach(visit);
  return found;
}
