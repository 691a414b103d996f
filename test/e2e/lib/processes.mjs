// The processes of code-server's session (setsid in scripts/vscode-env.sh): the debug adapter and
// the language server the extension starts are in it, found by their command lines.
import { execFileSync } from 'node:child_process';

/** [{ pid, args }] of every process in session `sid`. */
export function sessionProcesses(sid) {
  let out;
  try {
    out = execFileSync('ps', ['-o', 'pid=,args=', '-s', String(sid)], { encoding: 'utf8' });
  } catch (e) {
    if (e.status === 1) return []; // ps: no such process
    throw e;
  }
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const m = /^(\d+)\s+(.*)$/.exec(l);
      return { pid: Number(m[1]), args: m[2] };
    });
}

export const isAdapter = (p) => /\bdist\/debugAdapter\.js\b/.test(p.args);
export const isLanguageServer = (p) => /\bdist\/languageServer\.js\b/.test(p.args);
