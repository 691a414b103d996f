// What each trace event means to the rebuild (its role), across the versions' names, and the
// per-name table a reading session resolves each event name into once: declaration, compiled
// format, emitting function and the positions of the arguments the rebuild reads.

import type { TraceEventDecl } from '../catalog';
import { CompiledFormat, compileFormat } from './format';
import { declFor, TraceVersion, versionEvents } from './versions';

export const enum Role {
  none,
  notify,
  alloc,
  pop,
  handleRead,
  handleWrite,
  multireq,
  coEnter,
  coYield,
  coTerminate,
  blkRead,
  blkWrite,
  poolSubmit,
  poolComplete,
  luringSubmit,
  luringComplete,
  rwComplete,
  reqComplete,
  fill,
  vqFlush,
  irq,
  irqDeferred,
  coSchedule,
  coScheduleBh,
  pollBegin,
  pollOther,
  vcpuSide,
  setStatus,
}

/** Event names by role, every version's spelling (renames are listed side by side). */
const ROLES: readonly [Role, readonly string[]][] = [
  [Role.notify, ['virtio_queue_notify']],
  [Role.alloc, ['virtqueue_alloc_element']],
  [Role.pop, ['virtqueue_pop']],
  [Role.handleRead, ['virtio_blk_handle_read']],
  [Role.handleWrite, ['virtio_blk_handle_write']],
  [Role.multireq, ['virtio_blk_submit_multireq']],
  [Role.coEnter, ['qemu_aio_coroutine_enter']],
  [Role.coYield, ['qemu_coroutine_yield']],
  [Role.coTerminate, ['qemu_coroutine_terminate']],
  [Role.blkRead, ['blk_co_preadv']],
  [Role.blkWrite, ['blk_co_pwritev']],
  [Role.poolSubmit, ['thread_pool_submit', 'thread_pool_submit_aio']],
  [Role.poolComplete, ['thread_pool_complete', 'thread_pool_complete_aio']],
  [Role.luringSubmit, ['luring_co_submit']],
  [Role.luringComplete, ['luring_process_completion']],
  [Role.rwComplete, ['virtio_blk_rw_complete']],
  [Role.reqComplete, ['virtio_blk_req_complete']],
  [Role.fill, ['virtqueue_fill']],
  [Role.vqFlush, ['virtqueue_flush']],
  [Role.irq, ['virtio_notify_irqfd', 'virtio_notify']],
  [Role.irqDeferred, ['virtio_notify_irqfd_deferred_fn']],
  [Role.coSchedule, ['aio_co_schedule']],
  [Role.coScheduleBh, ['aio_co_schedule_bh_cb']],
  [Role.pollBegin, ['run_poll_handlers_begin']],
  [Role.pollOther, ['run_poll_handlers_end', 'poll_grow', 'poll_shrink']],
  [
    Role.vcpuSide,
    [
      'virtio_blk_data_plane_start',
      'virtio_blk_data_plane_stop',
      'virtio_pci_notify_write',
      'virtio_pci_notify_write_pio',
    ],
  ],
  [Role.setStatus, ['virtio_set_status']],
];

const NEEDS_ARGS = new Set<Role>([
  Role.pop,
  Role.handleRead,
  Role.handleWrite,
  Role.multireq,
  Role.coEnter,
  Role.coYield,
  Role.coTerminate,
  Role.blkRead,
  Role.blkWrite,
  Role.poolSubmit,
  Role.poolComplete,
  Role.luringSubmit,
  Role.luringComplete,
  Role.rwComplete,
  Role.reqComplete,
]);

const ROLE_OF = new Map<string, Role>(ROLES.flatMap(([role, names]) => names.map((n) => [n, role] as const)));

/** Argument names the rebuild reads, with the other spellings versions use for them. */
const ARG_NAMES = {
  elem: ['elem'],
  req: ['req'],
  vq: ['vq'],
  sector: ['sector'],
  nsectors: ['nsectors'],
  to: ['to'],
  from: ['from'],
  co: ['co', 'self'],
  offset: ['offset'],
  bytes: ['bytes', 'nbytes'],
  numReqs: ['num_reqs'],
  size: ['size'],
  isWrite: ['is_write'],
  ret: ['ret'],
  status: ['status'],
  luringcb: ['luringcb', 'aiocb'],
  type: ['type'],
  ctx: ['ctx'],
} as const;
export type ArgName = keyof typeof ARG_NAMES;

export interface EventInfo {
  readonly id: number;
  readonly name: string;
  readonly role: Role;
  /** Declared in the chosen version or any other the project knows; false: an unknown event. */
  readonly known: boolean;
  readonly decl: TraceEventDecl | undefined;
  readonly format: CompiledFormat | null;
  /** The rebuild reads its arguments (other events' arguments are parsed only when someone asks). */
  readonly needsArgs: boolean;
  readonly functionName: string;
  /** Argument position by name, -1 when the event has no such argument. */
  readonly arg: Readonly<Record<ArgName, number>>;
}

/** A reading session's event names, resolved once each (ids are in order of first sight). */
export class EventTable {
  private readonly byName = new Map<string, EventInfo>();
  readonly list: EventInfo[] = [];

  constructor(
    readonly version: TraceVersion | null,
    private readonly extra: ReadonlyMap<string, TraceEventDecl> = new Map(),
  ) {}

  get(name: string): EventInfo {
    const hit = this.byName.get(name);
    return hit ?? this.add(name);
  }

  private add(name: string): EventInfo {
    const decl = this.extra.get(name) ?? declFor(this.version, name);
    const arg = {} as Record<ArgName, number>;
    for (const key of Object.keys(ARG_NAMES) as ArgName[]) {
      arg[key] = decl ? decl.args.findIndex((a) => (ARG_NAMES[key] as readonly string[]).includes(a.name)) : -1;
    }
    const role = decl ? (ROLE_OF.get(name) ?? Role.none) : Role.none;
    const info: EventInfo = {
      id: this.list.length,
      name,
      role,
      needsArgs: NEEDS_ARGS.has(role),
      known: decl !== undefined,
      decl,
      format: decl ? compileFormat(decl) : null,
      functionName: versionEvents(this.version ?? '10.0').functionOf(name),
      arg,
    };
    this.byName.set(name, info);
    this.list.push(info);
    return info;
  }
}

/** Is `name` an event any known version declares (for logs without the `tid@time:` prefix)? */
export function isKnownEventName(name: string, extra?: ReadonlyMap<string, TraceEventDecl>): boolean {
  return extra?.has(name) === true || declFor(null, name) !== undefined;
}
