// Interprets parsed expressions against plain data. Only own properties of plain objects and
// arrays are reachable, and only the built-in functions below can be called.

import { ExprError, Node, parseExpression } from './parse';

export type Value = number | string | boolean | null | Value[] | { [k: string]: Value } | undefined;
export type Scope = Record<string, Value | (() => Value)>;

const FORBIDDEN = new Set(['__proto__', 'prototype', 'constructor']);

const BUILTINS: Record<string, (args: Value[], pos: number) => Value> = {
  hex: ([v], pos) => (typeof v === 'number' ? `0x${Math.trunc(v).toString(16)}` : err(`hex() needs a number`, pos)),
  len: ([v], pos) =>
    typeof v === 'string' || Array.isArray(v) ? v.length : err('len() needs a string or a list', pos),
  min: (args, pos) => Math.min(...args.map((a) => num(a, pos))),
  max: (args, pos) => Math.max(...args.map((a) => num(a, pos))),
  contains: ([a, b], pos) => {
    if (typeof a === 'string') return typeof b === 'string' && a.includes(b);
    if (Array.isArray(a)) return a.includes(b as never);
    return err('contains() needs a string or a list first', pos);
  },
  startsWith: ([a, b], pos) =>
    typeof a === 'string' && typeof b === 'string' ? a.startsWith(b) : err('startsWith() needs two strings', pos),
};

const BUILTIN_NAMES = Object.keys(BUILTINS);

function err(message: string, pos: number): never {
  throw new ExprError(`${message} (column ${pos})`, pos);
}

function num(v: Value, pos: number): number {
  if (typeof v !== 'number') err(`expected a number, got ${show(v)}`, pos);
  return v as number;
}

export function show(v: Value): string {
  if (v === undefined) return 'undefined';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`;
  if (v !== null && typeof v === 'object')
    return `{${Object.keys(v).slice(0, 6).join(', ')}${Object.keys(v).length > 6 ? ', …' : ''}}`;
  return String(v);
}

function truthy(v: Value): boolean {
  return !(v === false || v === null || v === undefined || v === 0 || v === '');
}

function field(obj: Value, prop: string, pos: number, path: string): Value {
  if (FORBIDDEN.has(prop)) err(`"${prop}" is not accessible`, pos);
  if (obj === null || obj === undefined) err(`${path} is ${show(obj)}, it has no field "${prop}"`, pos);
  if (typeof obj === 'string' && prop === 'length') return obj.length;
  if (Array.isArray(obj)) {
    if (prop === 'length') return obj.length;
    err(`a list has no field "${prop}"`, pos);
  }
  if (typeof obj !== 'object') err(`${path} is ${show(obj)}, it has no field "${prop}"`, pos);
  const o = obj as Record<string, Value>;
  if (!Object.prototype.hasOwnProperty.call(o, prop)) {
    err(`${path} has no field "${prop}" (fields: ${Object.keys(o).join(', ')})`, pos);
  }
  const v = o[prop];
  return typeof v === 'function' ? (v as () => Value)() : v;
}

function pathOf(n: Node): string {
  if (n.k === 'id') return n.name;
  if (n.k === 'member') return `${pathOf(n.obj)}.${n.prop}`;
  if (n.k === 'index') return `${pathOf(n.obj)}[…]`;
  return 'value';
}

function evaluateNode(n: Node, scope: Scope): Value {
  switch (n.k) {
    case 'num':
    case 'str':
    case 'lit':
      return n.v;
    case 'id': {
      if (FORBIDDEN.has(n.name) || !Object.prototype.hasOwnProperty.call(scope, n.name)) {
        err(`unknown name "${n.name}" (known: ${Object.keys(scope).join(', ')})`, n.pos);
      }
      const v = scope[n.name];
      return typeof v === 'function' ? v() : v;
    }
    case 'member':
      return field(evaluateNode(n.obj, scope), n.prop, n.pos, pathOf(n.obj));
    case 'index': {
      const obj = evaluateNode(n.obj, scope);
      const i = evaluateNode(n.index, scope);
      if (Array.isArray(obj)) {
        if (typeof i !== 'number' || !Number.isInteger(i))
          err(`a list index must be a whole number, got ${show(i)}`, n.pos);
        return obj[i as number];
      }
      if (typeof i !== 'string') err(`a field name must be a string, got ${show(i)}`, n.pos);
      return field(obj, i as string, n.pos, pathOf(n.obj));
    }
    case 'call': {
      const fn = BUILTINS[n.fn];
      if (!fn) err(`unknown function "${n.fn}" (available: ${BUILTIN_NAMES.join(', ')})`, n.pos);
      return fn(
        n.args.map((a) => evaluateNode(a, scope)),
        n.pos,
      );
    }
    case 'unary': {
      const v = evaluateNode(n.arg, scope);
      return n.op === '!' ? !truthy(v) : -num(v, n.pos);
    }
    case 'cond':
      return truthy(evaluateNode(n.test, scope)) ? evaluateNode(n.then, scope) : evaluateNode(n.else, scope);
    case 'bin': {
      if (n.op === '&&') {
        const l = evaluateNode(n.left, scope);
        return truthy(l) ? evaluateNode(n.right, scope) : l;
      }
      if (n.op === '||') {
        const l = evaluateNode(n.left, scope);
        return truthy(l) ? l : evaluateNode(n.right, scope);
      }
      const l = evaluateNode(n.left, scope);
      const r = evaluateNode(n.right, scope);
      switch (n.op) {
        case '==':
          return l === r || (l === undefined && r === null) || (l === null && r === undefined);
        case '!=':
          return !(l === r || (l === undefined && r === null) || (l === null && r === undefined));
        case '+':
          if (typeof l === 'string' || typeof r === 'string') return `${l ?? ''}${r ?? ''}`;
          return num(l, n.pos) + num(r, n.pos);
        case '-':
          return num(l, n.pos) - num(r, n.pos);
        case '*':
          return num(l, n.pos) * num(r, n.pos);
        case '/':
          return num(l, n.pos) / num(r, n.pos);
        case '%':
          return num(l, n.pos) % num(r, n.pos);
        default: {
          if (!((typeof l === 'number' && typeof r === 'number') || (typeof l === 'string' && typeof r === 'string'))) {
            err(`cannot compare ${show(l)} ${n.op} ${show(r)}`, n.pos);
          }
          const a = l as number | string;
          const b = r as number | string;
          return n.op === '<' ? a < b : n.op === '<=' ? a <= b : n.op === '>' ? a > b : a >= b;
        }
      }
    }
  }
}

/** A parsed expression, ready to evaluate many times. */
export class Expression {
  readonly tree: Node;

  constructor(readonly source: string) {
    this.tree = parseExpression(source);
  }

  evaluate(scope: Scope): Value {
    return evaluateNode(this.tree, scope);
  }

  test(scope: Scope): boolean {
    return truthy(this.evaluate(scope));
  }
}

/** A logpoint message: text with `{expression}` parts. */
export class Template {
  private readonly parts: (string | Expression)[] = [];

  constructor(readonly source: string) {
    let i = 0;
    while (i < source.length) {
      const open = source.indexOf('{', i);
      if (open < 0) {
        this.parts.push(source.slice(i));
        break;
      }
      this.parts.push(source.slice(i, open));
      const close = source.indexOf('}', open);
      if (close < 0) throw new ExprError(`unclosed "{" at column ${open + 1}`, open + 1);
      this.parts.push(new Expression(source.slice(open + 1, close)));
      i = close + 1;
    }
  }

  render(scope: Scope): string {
    return this.parts
      .map((p) => {
        if (typeof p === 'string') return p;
        try {
          const v = p.evaluate(scope);
          return typeof v === 'string' ? v : show(v);
        } catch (e) {
          return `<${(e as Error).message}>`;
        }
      })
      .join('');
  }
}

/** A hit condition: `5` (the 5th hit), `>= 3`, `> 3`, `== 2`, `< 10`, `<= 4`, `% 2` (every 2nd). */
export class HitCondition {
  private readonly op: string;
  private readonly n: number;

  constructor(readonly source: string) {
    const m = /^\s*(>=|<=|==|>|<|%)?\s*(\d+)\s*$/.exec(source);
    if (!m) throw new ExprError(`hit condition "${source}" should be N, >= N, > N, == N, < N, <= N or % N`, 1);
    this.op = m[1] ?? '==';
    this.n = Number(m[2]);
    if (this.op === '%' && this.n === 0) throw new ExprError('hit condition "% 0" never matches', 1);
  }

  matches(hits: number): boolean {
    switch (this.op) {
      case '>=':
        return hits >= this.n;
      case '<=':
        return hits <= this.n;
      case '>':
        return hits > this.n;
      case '<':
        return hits < this.n;
      case '%':
        return hits % this.n === 0;
      default:
        return hits === this.n;
    }
  }
}

export { ExprError };
