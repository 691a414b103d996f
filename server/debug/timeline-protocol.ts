// The timeline's custom DAP requests by name, and what `qemuIo/timeline` answers: shared by the
// adapter (server/debug/timeline.ts), the extension's panel and its webview, and described in
// docs/timeline.md. Types only besides the names, so importing it costs a bundle nothing.

import type { TimelinePosition } from '../../common/timeline';
import type { TimelineData } from '../../simulator';

export { TIMELINE_REQUESTS } from '../../common/timeline';
export type { TimelinePosition };

/** The body of a `qemuIo/timeline` response (thread ids are DAP's). */
export type TimelineResponse = TimelineData & { position: TimelinePosition | null };

export type { TimelineData };
export type { CoroutineSpan, LatencySplit, RequestSpan, Slice, WaitSpan } from '../../simulator';
