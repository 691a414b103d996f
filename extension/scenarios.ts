// The ready-made launch configurations: the manifest's initialConfigurations and
// configurationSnippets (written into package.json by scripts/gen-manifest.mjs), the dynamic
// configurations offered in Run and Debug's picker, and examples/.vscode/launch.json all come from
// this list. VS Code-free; typed against the debug adapter's launch configuration. The two trace
// sessions point at `qemu-trace.log` in the workspace folder, the file name the capture
// instructions use (README: "Reading a real QEMU trace"), and examples/ ships one.

import type { LaunchConfig } from '../server/debug/launch-config';
import { DEBUG_TYPE } from '../common/ids';

export interface Scenario {
  /** Stable id (used by commands and tests). */
  readonly id: string;
  /** Snippet label in launch.json's "Add Configuration…" list. */
  readonly label: string;
  /** One line saying what the scenario shows. */
  readonly description: string;
  /** The configuration's `name`. */
  readonly name: string;
  /** `attach` follows a trace log as QEMU writes it; everything else is a `launch`. */
  readonly request?: 'launch' | 'attach';
  readonly config: LaunchConfig;
}

export type LaunchConfiguration = LaunchConfig & { type: string; request: 'launch' | 'attach'; name: string };

/** Where the trace sessions look for a log: `-D qemu-trace.log` in the capture instructions. */
export const TRACE_FILE = '${workspaceFolder}/qemu-trace.log';

const ONE_WRITE = { rw: 'write', bs: '4k', requests: 1 } as const;

export const SCENARIOS: readonly Scenario[] = [
  {
    id: 'write-threads',
    label: 'QEMU I/O: 4 KiB write, aio=threads',
    description:
      "One 4 KiB guest write through the main loop, a request coroutine and the thread pool (QEMU's default aio mode).",
    name: 'QEMU I/O: 4 KiB write (aio=threads)',
    config: { aio: 'threads', cache: 'writeback', workload: { ...ONE_WRITE }, stopOnEntry: true },
  },
  {
    id: 'write-native',
    label: 'QEMU I/O: 4 KiB write, aio=native (cache=none)',
    description: 'The same write with Linux AIO: io_submit at unplug, completion through the AIO eventfd.',
    name: 'QEMU I/O: 4 KiB write (aio=native, cache=none)',
    config: { aio: 'native', cache: 'none', workload: { ...ONE_WRITE }, stopOnEntry: true },
  },
  {
    id: 'write-iothread',
    label: 'QEMU I/O: 4 KiB write in an iothread',
    description: 'virtio-blk dataplane in an iothread (aio_poll with adaptive polling), aio=native, cache=none.',
    name: 'QEMU I/O: 4 KiB write in an iothread (aio=native)',
    config: { aio: 'native', cache: 'none', iothread: true, workload: { ...ONE_WRITE }, stopOnEntry: true },
  },
  {
    id: 'randread-qd32',
    label: 'QEMU I/O: 4 KiB random reads at QD32',
    description:
      '4 KiB random reads with 32 in flight: request merging, io_submit batching, many completions per poll.',
    name: 'QEMU I/O: 4 KiB randread QD32 (aio=native)',
    config: {
      aio: 'native',
      cache: 'none',
      workload: { rw: 'randread', bs: '4k', iodepth: 32, requests: 256 },
      stopOnEntry: true,
    },
  },
  {
    id: 'write-error-stop',
    label: 'QEMU I/O: failing write, werror=stop',
    description:
      'The first write fails with EIO; werror=stop parks the request and stops the VM until `cont` replays it.',
    name: 'QEMU I/O: failing write (werror=stop)',
    config: {
      aio: 'threads',
      werror: 'stop',
      faults: ['write:*:EIO:1'],
      workload: { ...ONE_WRITE },
      stopOnEntry: true,
    },
  },
  {
    id: 'qemu-command-line',
    label: 'QEMU I/O: paste your QEMU command line',
    description:
      "Takes aio, cache, iothread and the device's settings from the -drive/-device/-object options you really run.",
    name: 'QEMU I/O: my QEMU command line',
    config: {
      qemu: '-object iothread,id=io0 -drive if=none,id=d0,file=disk.img,format=raw,aio=native,cache=none -device virtio-blk-pci,drive=d0,iothread=io0',
      workload: { ...ONE_WRITE },
      stopOnEntry: true,
    },
  },
  {
    id: 'replay-trace',
    label: 'QEMU I/O: Replay a QEMU trace',
    description:
      'Step through a real QEMU trace log (-trace … -D qemu-trace.log, best with -msg timestamp=on), forward and back.',
    name: 'QEMU I/O: replay qemu-trace.log',
    config: { traceFile: TRACE_FILE, qemuVersion: 'auto', stopOnEntry: true },
  },
  {
    id: 'follow-trace',
    label: 'QEMU I/O: Follow a QEMU trace',
    description:
      'Follow the trace log a running QEMU writes: requests appear as they come; a breakpoint stops the view while reading goes on.',
    name: 'QEMU I/O: follow qemu-trace.log',
    request: 'attach',
    config: { traceFile: TRACE_FILE, qemuVersion: 'auto' },
  },
];

/** The scenario F5 starts when there is no launch.json, and "Start the First Session" starts. */
export const DEFAULT_SCENARIO = SCENARIOS[0];

export function launchConfiguration(s: Scenario): LaunchConfiguration {
  return { type: DEBUG_TYPE, request: s.request ?? 'launch', name: s.name, ...structuredClone(s.config) };
}

/** The session replaying a trace log from its first event, as "Open Trace…" starts it. */
export function replayConfiguration(traceFile: string, name: string): LaunchConfiguration {
  return { type: DEBUG_TYPE, request: 'launch', name, traceFile, stopOnEntry: true };
}

/**
 * `contributes.debuggers[0].configurationSnippets`. A snippet body is snippet syntax: a string
 * naming a variable (`${workspaceFolder}`) is written `^"\${…}"`, VS Code's form: `^` inserts the
 * JSON text as it is and `\$` keeps the variable for launch time. (Our strings hold no `"` or `\`.)
 */
export function configurationSnippets(): { label: string; description: string; body: Record<string, unknown> }[] {
  return SCENARIOS.map((s) => ({
    label: s.label,
    description: s.description,
    body: snippetBody(launchConfiguration(s)),
  }));
}

export function snippetBody(c: LaunchConfiguration): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(c).map(([k, v]) => [
      k,
      typeof v === 'string' && v.includes('${') ? `^"${v.replaceAll('${', '\\${')}"` : v,
    ]),
  );
}

/** `contributes.debuggers[0].initialConfigurations`. */
export function initialConfigurations(): LaunchConfiguration[] {
  return [launchConfiguration(DEFAULT_SCENARIO)];
}
