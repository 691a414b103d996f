// Validates DAP messages against the protocol's JSON schema (test/fixtures): each response
// against its command's <Command>Response (errors against ErrorResponse), each event against
// its <Event>Event. VS Code forgives some mistakes, other clients do not.

import Ajv from 'ajv-draft-04';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './dap';

const schema = JSON.parse(readFileSync(join(root, 'test', 'fixtures', 'debugAdapterProtocol.json'), 'utf8'));
const defs = schema.definitions as Record<string, unknown>;
const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
ajv.addSchema(schema, 'dap');

interface AnyMessage {
  type?: unknown;
  success?: unknown;
  command?: unknown;
  event?: unknown;
}

const capital = (s: unknown): string => (typeof s === 'string' && s ? `${s[0].toUpperCase()}${s.slice(1)}` : '');

/** The schema definition a message is checked against. */
export function definitionFor(m: AnyMessage): string {
  if (m.type === 'response') {
    if (m.success === false) return 'ErrorResponse';
    const name = `${capital(m.command)}Response`;
    return name in defs ? name : 'Response';
  }
  if (m.type === 'event') {
    const name = `${capital(m.event)}Event`;
    return name in defs ? name : 'Event';
  }
  return 'ProtocolMessage';
}

/** What is wrong with a message by the schema, or null. */
export function schemaProblem(m: AnyMessage): string | null {
  const def = definitionFor(m);
  const validate = ajv.getSchema(`dap#/definitions/${def}`)!;
  return validate(m) ? null : `${def}: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(m).slice(0, 300)}`;
}
