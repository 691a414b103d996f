// The timeline's custom DAP requests by name (docs/timeline.md) and the position they report:
// the adapter answers them, the extension's panel sends them.

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
