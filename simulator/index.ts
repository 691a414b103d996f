// The simulator's public face. Code outside simulator/ imports the simulator from here and only
// here (the catalog, plain data the language server and the extension also read, from
// simulator/catalog); eslint.config.mjs rejects imports of anything deeper.

export { Catalog, catalog, CATALOG_VERSIONS, getCatalog } from './catalog';
export { MODELLED_VERSIONS } from './version';
export type { ModelledVersion } from './version';
export type { FunctionEntry, StageGroupId, StageId, ThreadKind, TraceEventDecl } from './catalog';
export { IO_OP_NAMES, IoOp } from './backends/device';
export { buildScenario, readFioFile } from './config/build';
export type { ScenarioInput } from './config/build';
export { ConfigError, excerpt } from './config/errors';
export { readTraceWorkload } from './config/trace-workload';
export { AIO_MODES, CACHE_MODES, ERROR_POLICIES, RW_MODES } from './config/scenario';
export type { Scenario } from './config/scenario';
export { parseDuration, parseSize } from './config/units';
export { Phase, PHASE_NAMES, StopReason } from './engine/types';
export type { Machine } from './engine/machine';
export type { Frame, SimState, Stack, StageEvent, StopReasonValue } from './engine/types';
export { frameLocals, requestInfo, threadInfo } from './inspect';
export type { Plain } from './inspect';
export { vmRunning } from './loop/runstate';
export { modelledFunctions } from './model';
export { ChromeTraceWriter } from './output/chrome-trace';
export { qemuTraceLine } from './output/qemu-trace';
export { statsText } from './output/stats-text';
export { recordOf, Simulator } from './simulator';
export type { CoroutineView, FrameView, StageEventRecord, ThreadView } from './simulator';
export { outstandingText } from './stats';
export type { SimStats } from './stats';
export { mergeChain } from './virtio/virtio-blk';
export { TimelineRecorder } from './timeline/recorder';
export { MAX_BINS, SimulationTimeline } from './timeline/simulation';
export type { WindowReplayer } from './timeline/simulation';
export { LANE_KINDS } from './timeline/source';
export type { LaneKind, TimelineData } from './timeline/source';
export type { LatencySplit, RequestSpan } from './timeline/requests';
export type { CoroutineSpan, Slice, WaitSpan } from './timeline/detail';
