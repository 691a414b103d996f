// The breakpoint / watch expression language: a small, safe subset of JavaScript expressions
// over plain data (`req.sector >= 2048 && thread == "iothread0"`). Parsed into a tree and
// interpreted (evaluate.ts) — user text is never handed to eval or new Function.

export type Node =
  | { k: 'num'; v: number }
  | { k: 'str'; v: string }
  | { k: 'lit'; v: boolean | null }
  | { k: 'id'; name: string; pos: number }
  | { k: 'member'; obj: Node; prop: string; pos: number }
  | { k: 'index'; obj: Node; index: Node; pos: number }
  | { k: 'call'; fn: string; args: Node[]; pos: number }
  | { k: 'unary'; op: '!' | '-'; arg: Node; pos: number }
  | { k: 'bin'; op: string; left: Node; right: Node; pos: number }
  | { k: 'cond'; test: Node; then: Node; else: Node };

export class ExprError extends Error {
  constructor(
    message: string,
    readonly column: number,
  ) {
    super(message);
  }
}

type Tok =
  | { t: 'num'; v: number; pos: number }
  | { t: 'str'; v: string; pos: number }
  | { t: 'id'; v: string; pos: number }
  | { t: 'op'; v: string; pos: number }
  | { t: 'end'; pos: number };

const OPS = [
  '===',
  '!==',
  '==',
  '!=',
  '<=',
  '>=',
  '&&',
  '||',
  '<',
  '>',
  '+',
  '-',
  '*',
  '/',
  '%',
  '!',
  '(',
  ')',
  '[',
  ']',
  '.',
  ',',
  '?',
  ':',
];
const SUFFIX: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

function tokenize(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i];
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const start = i;
    if (/[0-9]/.test(ch)) {
      let m = /^0x[0-9a-fA-F]+/.exec(src.slice(i));
      if (m) {
        toks.push({ t: 'num', v: parseInt(m[0], 16), pos: start });
        i += m[0].length;
        continue;
      }
      m = /^\d+(\.\d+)?([kKmMgG](?![A-Za-z0-9_]))?/.exec(src.slice(i))!;
      const unit = m[2] ? SUFFIX[m[2].toLowerCase()] : 1;
      toks.push({ t: 'num', v: parseFloat(m[0]) * unit, pos: start });
      i += m[0].length;
      if (/[A-Za-z_]/.test(src[i] ?? '')) throw new ExprError(`bad number at column ${start + 1}`, start + 1);
      continue;
    }
    if (ch === '"' || ch === "'") {
      let s = '';
      i++;
      while (i < src.length && src[i] !== ch) {
        if (src[i] === '\\' && i + 1 < src.length) i++;
        s += src[i++];
      }
      if (i >= src.length) throw new ExprError(`unterminated string starting at column ${start + 1}`, start + 1);
      i++;
      toks.push({ t: 'str', v: s, pos: start });
      continue;
    }
    if (/[A-Za-z_$]/.test(ch)) {
      const m = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(src.slice(i))!;
      toks.push({ t: 'id', v: m[0], pos: start });
      i += m[0].length;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new ExprError(`unexpected "${ch}" at column ${start + 1}`, start + 1);
    toks.push({ t: 'op', v: op === '===' ? '==' : op === '!==' ? '!=' : op, pos: start });
    i += op.length;
  }
  toks.push({ t: 'end', pos: src.length });
  return toks;
}

/** Deepest expression tree accepted: parsing and evaluating recurse once per level. */
export const MAX_DEPTH = 100;

const BINARY_LEVELS: string[][] = [['||'], ['&&'], ['==', '!='], ['<', '<=', '>', '>='], ['+', '-'], ['*', '/', '%']];

export function parseExpression(src: string): Node {
  if (src.trim() === '') throw new ExprError('empty expression', 1);
  const toks = tokenize(src);
  let p = 0;
  const peek = (): Tok => toks[p];
  const describe = (t: Tok): string => (t.t === 'end' ? 'end of expression' : `"${'v' in t ? t.v : ''}"`);
  const fail = (t: Tok, what: string): never => {
    throw new ExprError(`${what}, found ${describe(t)} at column ${t.pos + 1}`, t.pos + 1);
  };
  const isOp = (v: string): boolean => {
    const t = peek();
    return t.t === 'op' && t.v === v;
  };
  const expect = (v: string): void => {
    if (!isOp(v)) fail(peek(), `expected "${v}"`);
    p++;
  };
  // depth of the tree being built: nesting, and each link of an operator or field chain
  let depth = 0;
  const deeper = (t: Tok): void => {
    if (++depth > MAX_DEPTH)
      throw new ExprError(
        `expression nested too deeply (more than ${MAX_DEPTH} levels) at column ${t.pos + 1}`,
        t.pos + 1,
      );
  };
  const nested = <T>(t: Tok, parse: () => T): T => {
    const at = depth;
    deeper(t);
    try {
      return parse();
    } finally {
      depth = at;
    }
  };

  function ternary(): Node {
    return nested(peek(), () => {
      const test = binary(0);
      if (!isOp('?')) return test;
      p++;
      const then = ternary();
      expect(':');
      return { k: 'cond', test, then, else: ternary() };
    });
  }

  function binary(level: number): Node {
    if (level === BINARY_LEVELS.length) return unary();
    const at = depth;
    let left = binary(level + 1);
    for (;;) {
      const t = peek();
      if (t.t !== 'op' || !BINARY_LEVELS[level].includes(t.v)) {
        depth = at;
        return left;
      }
      p++;
      deeper(t);
      left = { k: 'bin', op: t.v, left, right: binary(level + 1), pos: t.pos + 1 };
    }
  }

  function unary(): Node {
    const t = peek();
    if (t.t === 'op' && (t.v === '!' || t.v === '-')) {
      p++;
      return nested(t, () => ({ k: 'unary', op: t.v as '!' | '-', arg: unary(), pos: t.pos + 1 }));
    }
    return postfix();
  }

  function postfix(): Node {
    const at = depth;
    try {
      return postfixChain();
    } finally {
      depth = at;
    }
  }

  function postfixChain(): Node {
    let node = primary();
    for (;;) {
      const t = peek();
      if (t.t === 'op' && (t.v === '.' || t.v === '[' || t.v === '(')) deeper(t);
      if (t.t === 'op' && t.v === '.') {
        p++;
        const name = peek();
        if (name.t !== 'id') fail(name, 'expected a field name after "."');
        p++;
        node = { k: 'member', obj: node, prop: (name as { v: string }).v, pos: name.pos + 1 };
      } else if (t.t === 'op' && t.v === '[') {
        p++;
        const index = ternary();
        expect(']');
        node = { k: 'index', obj: node, index, pos: t.pos + 1 };
      } else if (t.t === 'op' && t.v === '(') {
        if (node.k !== 'id') fail(t, 'only built-in functions can be called');
        p++;
        const args: Node[] = [];
        if (!isOp(')')) {
          args.push(ternary());
          while (isOp(',')) {
            p++;
            args.push(ternary());
          }
        }
        expect(')');
        node = { k: 'call', fn: (node as { name: string }).name, args, pos: (node as { pos: number }).pos };
      } else return node;
    }
  }

  function primary(): Node {
    const t = peek();
    p++;
    switch (t.t) {
      case 'num':
        return { k: 'num', v: t.v };
      case 'str':
        return { k: 'str', v: t.v };
      case 'id':
        if (t.v === 'true' || t.v === 'false') return { k: 'lit', v: t.v === 'true' };
        if (t.v === 'null' || t.v === 'undefined') return { k: 'lit', v: null };
        return { k: 'id', name: t.v, pos: t.pos + 1 };
      case 'op':
        if (t.v === '(') {
          const e = ternary();
          expect(')');
          return e;
        }
    }
    return fail(t, 'expected a value');
  }

  const node = ternary();
  if (peek().t !== 'end') fail(peek(), 'unexpected text after the expression');
  return node;
}
