// The timeline's custom DAP requests by name, and what `qemuIo/timeline` answers: shared by the
// adapter (server/debug/timeline.ts), the extension's panel and its webview, and described in
// docs/timeline.md. Types only besides the names, so importing it costs a bundle nothing.

import type { TimelineData } from '../../simulator/timeline/source';

export const TIMELINE_REQUESTS = {
  timeline: 'qemuIo/timeline',
  goTo: 'qemuIo/timelineGoTo',
  export: 'qemuIo/timelineExport',
} as const;

/** Where the session stands: its current event, that event's time, and the DAP thread it is on. */
export interface TimelinePosition {
  event: number;
  timeNs: number;
  threadId: number;
}

/** The body of a `qemuIo/timeline` response (thread ids are DAP's). */
export type TimelineResponse = TimelineData & { position: TimelinePosition | null };

export type { TimelineData };
export type { RequestSpan, LatencySplit } from '../../simulator/timeline/requests';
export type { Slice, WaitSpan, CoroutineSpan } from '../../simulator/timeline/detail';
