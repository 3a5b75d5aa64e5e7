// Requests generated from an OpenAPI document: every parameter and body field gets a valid value or a
// broken one (wrong type, out of range, NUL, lone surrogate, unknown field…), so that a fuzz run reaches
// both the validation and the code behind it.
import fc from 'fast-check';

export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  example?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
}

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema: JsonSchema;
}

interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

export interface FuzzRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body?: string;
}

/** Values no schema accepts whole, and that have broken servers before. */
const hostileString = fc.oneof(
  fc.constant('a\u0000b'),
  fc.constant('a\ud800b'),
  fc.constant('\udfff'),
  fc.constant(''),
  fc.constant(' '),
  fc.constant('%'),
  fc.constant('%ff'),
  fc.constant('-200000-01-01'),
  fc.constant('99999999999999999999-0'),
  fc.constant('x'.repeat(5_000)),
  fc.constant('ABCDEF01-2345-6789-ABCD-EF0123456789'),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.stringMatching(/^[0-9a-f-]{36}$/),
);

const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.constant(null),
  fc.constant(true),
  fc.integer({ min: -(2 ** 53), max: 2 ** 53 }),
  fc.constantFrom(2 ** 31, -(2 ** 31) - 1, 0.5, -0, 1e308),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
);

export class OpenApiFuzzer {
  constructor(
    private readonly document: OpenApiDocument,
    /** Ids that exist, so that generated requests reach records, not only 404s. */
    private readonly knownIds: string[],
  ) {}

  private resolve(schema: JsonSchema): JsonSchema {
    if (!schema.$ref) return schema;
    const name = schema.$ref.split('/').at(-1) ?? '';
    return this.resolve(this.document.components?.schemas?.[name] ?? {});
  }

  /** A value the schema accepts (as far as a generator can tell). */
  valid(raw: JsonSchema): fc.Arbitrary<unknown> {
    const schema = this.resolve(raw);
    const variants = schema.anyOf ?? schema.oneOf;
    if (variants) return fc.oneof(...variants.map((variant) => this.valid(variant)));
    if (schema.enum) return fc.constantFrom(...schema.enum);
    const type = Array.isArray(schema.type) ? schema.type.find((one) => one !== 'null') : schema.type;
    switch (type) {
      case 'string':
        if (schema.format === 'uuid') {
          return this.knownIds.length > 0
            ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...this.knownIds) }, { weight: 1, arbitrary: fc.uuid() })
            : fc.uuid();
        }
        if (schema.pattern) {
          const max = schema.maxLength ?? 40;
          return fc
            .stringMatching(new RegExp(schema.pattern))
            .filter((value) => value.length >= (schema.minLength ?? 0) && value.length <= max);
        }
        return fc.string({ minLength: Math.max(1, schema.minLength ?? 0), maxLength: Math.min(schema.maxLength ?? 30, 30) });
      case 'integer':
        return fc.integer({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1000 });
      case 'number':
        return fc.double({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1000, noNaN: true });
      case 'boolean':
        return fc.boolean();
      case 'array':
        return fc.array(this.valid(schema.items ?? {}), { maxLength: 3 });
      case 'object': {
        const properties = schema.properties ?? {};
        return fc.record(Object.fromEntries(Object.entries(properties).map(([name, property]) => [name, this.valid(property)])), {
          requiredKeys: (schema.required ?? []).filter((name) => name in properties),
        });
      }
      default:
        return fc.constant(schema.example ?? 'x');
    }
  }

  /**
   * Mostly valid, often broken: each field on its own, so one bad field among good ones is common. A text
   * field is broken with hostile text more often than with another type, since text reaches the database.
   */
  value(raw: JsonSchema): fc.Arbitrary<unknown> {
    const schema = this.resolve(raw);
    const text = schema.type === 'string' && schema.format === undefined && schema.enum === undefined;
    return fc.oneof(
      { weight: 4, arbitrary: this.valid(schema) },
      { weight: text ? 2 : 0, arbitrary: hostileString },
      { weight: 1, arbitrary: hostileJson },
    );
  }

  /** A body object whose fields are each valid or broken, sometimes with an unknown field, sometimes no object at all. */
  body(raw: JsonSchema): fc.Arbitrary<string> {
    const schema = this.resolve(raw);
    const properties = schema.properties ?? {};
    const required = (schema.required ?? []).filter((name) => name in properties);
    const fields = fc.oneof(
      {
        weight: 4,
        arbitrary: fc.record(Object.fromEntries(Object.entries(properties).map(([name, property]) => [name, this.value(property)])), {
          requiredKeys: required,
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record(Object.fromEntries(Object.entries(properties).map(([name, property]) => [name, this.value(property)])), {
          requiredKeys: [],
        }),
      },
    );
    return fc.oneof(
      { weight: 8, arbitrary: fields.map((object) => JSON.stringify(object)) },
      { weight: 1, arbitrary: fields.map((object) => JSON.stringify({ ...object, unexpected: 1 })) },
      { weight: 1, arbitrary: hostileJson.map((value) => JSON.stringify(value) ?? 'null') },
      { weight: 1, arbitrary: fc.constantFrom('{', '{"a":', '[1,2', '\u0000', '"\\ud800"') },
    );
  }

  private paramValue(parameter: Parameter): fc.Arbitrary<string | undefined> {
    const asText = (value: unknown) => (typeof value === 'string' ? value : (JSON.stringify(value) ?? ''));
    const present = this.value(parameter.schema).map(asText);
    if (parameter.in === 'path') return present;
    return fc.option(present, { nil: undefined, freq: 2 });
  }

  /** Requests for one operation. */
  requests(path: string, method: string): fc.Arbitrary<FuzzRequest> {
    const operation = this.document.paths[path]?.[method] ?? {};
    const parameters = operation.parameters ?? [];
    const jsonBody = operation.requestBody?.content['application/json']?.schema;
    return fc
      .record({
        values: fc.tuple(...parameters.map((parameter) => this.paramValue(parameter))),
        body: jsonBody ? fc.option(this.body(jsonBody), { nil: undefined, freq: 10 }) : fc.constant(undefined),
      })
      .map(({ values, body }) => {
        const request: FuzzRequest = { method, path, query: {}, headers: {}, body };
        parameters.forEach((parameter, index) => {
          const value = values[index];
          if (value === undefined) return;
          if (parameter.in === 'path') request.path = request.path.replace(`{${parameter.name}}`, encodePathSegment(value));
          else if (parameter.in === 'query') request.query[parameter.name] = value;
          else if (/^[\t\x20-\x7e]*$/.test(value)) request.headers[parameter.name] = value; // headers must be sendable at all
        });
        return request;
      });
  }

  operations(): { path: string; method: string }[] {
    return Object.entries(this.document.paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => ({ path, method })));
  }
}

/** Percent-encodes like a client would, except for a raw "%" now and then (a client that does not). */
function encodePathSegment(value: string): string {
  if (value === '%' || value === '%ff') return value;
  try {
    return encodeURIComponent(value);
  } catch {
    return encodeURIComponent(value.replace(/[\ud800-\udfff]/g, 'x')); // lone surrogates cannot be encoded
  }
}
