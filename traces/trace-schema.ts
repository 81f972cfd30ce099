import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { packagePath } from '../src/core/package-path.ts';

/**
 * Every trace line is checked against traces/trace.schema.json before anything uses it (an edited
 * trace must not reach the viz as `event.rows is not iterable`). The schema's top level is one
 * branch per line type; a line is checked against its own type's branch only, so a problem is
 * reported as the field it is about, not as "matches no branch".
 */

interface TraceSchema {
  readonly $id: string;
  readonly oneOf: readonly { readonly $ref?: string; readonly properties?: { readonly type?: { readonly const?: string } } }[];
}

let validators: ReadonlyMap<string, ValidateFunction> | undefined;

function compile(): ReadonlyMap<string, ValidateFunction> {
  const schema = JSON.parse(readFileSync(packagePath('traces', 'trace.schema.json'), 'utf8')) as TraceSchema;
  const ajv = new Ajv2020({ strict: false, allErrors: false });
  ajv.addSchema(schema as object);
  const byType = new Map<string, ValidateFunction>();
  schema.oneOf.forEach((branch, index) => {
    const type = branch.$ref === '#/$defs/header' ? 'header' : branch.properties?.type?.const;
    if (type !== undefined) byType.set(type, ajv.compile({ $ref: `${schema.$id}#/oneOf/${index}` }));
  });
  return byType;
}

/** The line types the schema knows. */
export function traceLineTypes(): readonly string[] {
  validators ??= compile();
  return [...validators.keys()];
}

/** "rows[0].slot" from ajv's "/rows/0/slot". */
function fieldOf(error: ErrorObject): string {
  const parts = error.instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (error.keyword === 'required') parts.push(String((error.params as { missingProperty: string }).missingProperty));
  return parts.reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path === '' ? part : `${path}.${part}`), '');
}

function problemOf(error: ErrorObject): string {
  switch (error.keyword) {
    case 'required':
      return 'missing';
    case 'const':
      return `must be ${JSON.stringify((error.params as { allowedValue: unknown }).allowedValue)}`;
    case 'enum':
      return `must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'oneOf':
    case 'anyOf':
      return 'not a value of any form this field takes';
    default:
      return error.message ?? 'invalid';
  }
}

/**
 * Checks one parsed line of type `type` (already known to be a string); returns [field, problem]
 * for the first problem, or undefined when the line is valid.
 */
export function checkTraceLine(type: string, line: Readonly<Record<string, unknown>>): readonly [string, string] | undefined {
  validators ??= compile();
  const validate = validators.get(type);
  if (validate === undefined) return ['type', `unknown line type ${JSON.stringify(type)} (known: ${[...validators.keys()].join(', ')})`];
  if (validate(line)) return undefined;
  const errors = validate.errors ?? [];
  // The deepest error is the most specific; where a oneOf's branches all failed at its own field,
  // the oneOf says it better than its first branch's "must be integer".
  const depth = Math.max(...errors.map((e) => e.instancePath.length));
  const deepest = errors.filter((e) => e.instancePath.length === depth);
  const error = deepest.find((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf') ?? deepest[0];
  return error === undefined ? ['', 'does not match the trace schema'] : [fieldOf(error), problemOf(error)];
}
