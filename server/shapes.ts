// The shapes of the arguments a protocol request carries (DAP arguments, LSP params), as far as
// a server reads them, and the check that names the first argument that does not fit:
// `"breakpoints[0].name" must be a string, not a whole number`. One small table per protocol
// (server/debug/requestArgs.ts, server/language/params.ts) instead of a TypeError deep in a handler.

/** A type; `a|b` for either (`string|null`). */
type Type = 'string' | 'integer' | 'uinteger' | 'boolean' | 'object' | 'null' | 'any';
/** `?` marks an optional field; `[]` a list of that type. */
export type Shape = string | Fields | { list: Fields; optional?: true };
export interface Fields {
  [name: string]: Shape;
}

export function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'number') return Number.isInteger(v) ? 'a whole number' : 'a number';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

const WANT: Record<Type, string> = {
  string: 'a string',
  integer: 'a whole number',
  uinteger: 'a whole number ≥ 0',
  boolean: 'true or false',
  object: 'an object',
  null: 'null',
  any: 'a value',
};

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fits(t: Type, v: unknown): boolean {
  switch (t) {
    case 'string':
      return typeof v === 'string';
    case 'integer':
      return Number.isSafeInteger(v);
    case 'uinteger':
      return Number.isSafeInteger(v) && (v as number) >= 0;
    case 'boolean':
      return typeof v === 'boolean';
    case 'object':
      return isObject(v);
    case 'null':
      return v === null;
    default:
      return true;
  }
}

function checkType(path: string, types: string, v: unknown): string | null {
  const alternatives = types.split('|') as Type[];
  if (alternatives.some((t) => fits(t, v))) return null;
  return `"${path}" must be ${alternatives.map((t) => WANT[t]).join(' or ')}, not ${typeName(v)}`;
}

/** The first field of `obj` that does not fit `fields`, as one line naming it; or null. */
export function checkFields(prefix: string, fields: Fields, obj: Record<string, unknown>): string | null {
  for (const [name, shape] of Object.entries(fields)) {
    const path = prefix ? `${prefix}.${name}` : name;
    const v = Object.hasOwn(obj, name) ? obj[name] : undefined;
    const problem = checkShape(path, shape, v);
    if (problem) return problem;
  }
  return null;
}

function checkShape(path: string, shape: Shape, v: unknown): string | null {
  if (typeof shape === 'string') {
    const optional = shape.endsWith('?');
    const base = optional ? shape.slice(0, -1) : shape;
    if (v === undefined) return optional ? null : `"${path}" is missing`;
    if (!base.endsWith('[]')) return checkType(path, base, v);
    if (!Array.isArray(v)) return `"${path}" must be a list, not ${typeName(v)}`;
    for (let i = 0; i < v.length; i++) {
      const p = checkType(`${path}[${i}]`, base.slice(0, -2), v[i]);
      if (p) return p;
    }
    return null;
  }
  if ('list' in shape && typeof shape.list === 'object' && !Array.isArray(shape.list)) {
    const s = shape as { list: Fields; optional?: true };
    if (v === undefined) return s.optional ? null : `"${path}" is missing`;
    if (!Array.isArray(v)) return `"${path}" must be a list, not ${typeName(v)}`;
    for (let i = 0; i < v.length; i++) {
      if (!isObject(v[i])) return `"${path}[${i}]" must be an object, not ${typeName(v[i])}`;
      const p = checkFields(`${path}[${i}]`, s.list, v[i] as Record<string, unknown>);
      if (p) return p;
    }
    return null;
  }
  if (v === undefined) return `"${path}" is missing`;
  if (!isObject(v)) return `"${path}" must be an object, not ${typeName(v)}`;
  return checkFields(path, shape as Fields, v);
}
