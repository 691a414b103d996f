// How the model declares a QEMU function: its catalog key, its frame layout — arguments and
// locals by name and kind, resume points — and its step, in one `step(...)` next to its code.
// The kinds are what the Locals view knows how to show (inspect.ts describes each).

import { FnName, fnId } from './catalog';
import {
  ArgsOf,
  defineStep,
  tailCall as tailCallOf,
  Layout,
  ResumePoints,
  SlotsOf,
  Step,
  StepDef,
} from './engine/machine';

export type Kind =
  | 'ctx'
  | 'vq'
  | 'vreq'
  | 'mrb'
  | 'acb'
  | 'breq'
  | 'node'
  | 'co'
  | 'bh'
  | 'handler'
  | 'pool'
  | 'elem'
  | 'laio'
  | 'laiocb'
  | 'luring'
  | 'luringcb'
  | 'hostio'
  | 'fn'
  | 'op'
  | 'runstate'
  | 'errno'
  | 'status'
  | 'action'
  | 'bool'
  | 'int'
  | 'ns';

/**
 * A function's catalog key: a 4.1.0 key (checked by the compiler), or the key of a function in a later
 * version — one 4.1.0 does not have, or one a later version renamed and the model runs differently
 * there (checked when the module loads: fnId throws on a key no catalog has).
 */
export type StepKey = FnName | (string & {});

/** QEMU function `key`: its layout, and `body`, which gets the layout's slots and resume points. */
export function step<const L extends Layout<Kind>>(
  key: StepKey,
  layout: L,
  body: (slots: SlotsOf<L>, at: ResumePoints<L>) => Step,
): StepDef<ArgsOf<L>> {
  return defineStep(fnId(key), key, layout, body);
}

/** QEMU function `key` whose body is `return callee(args);`. */
export function tailCall<A extends readonly unknown[]>(key: StepKey, callee: () => StepDef<A>): StepDef<A> {
  return tailCallOf(fnId(key), key, callee);
}

/** QEMU function `key` that only returns `value` here (accounting hooks, checks that always pass). */
export function returns<const L extends Layout<Kind>>(key: StepKey, layout: L, value = 0): StepDef<ArgsOf<L>> {
  return defineStep(fnId(key), key, layout, () => (m, t) => m.ret(t, value));
}
