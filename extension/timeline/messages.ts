// Messages between the timeline panel (extension host) and its webview. The webview asks for data
// with the range and resolution it shows; the panel forwards its requests to the debug session.

import type { TimelinePosition, TimelineResponse } from '../../server/debug/timeline-protocol';

export type ToWebview =
  /** The session the panel follows (null: none); its data must be asked again. */
  | { type: 'session'; name: string | null }
  /** The answer to query `id`, with the round trip through the adapter in ms. */
  | { type: 'data'; id: number; body: TimelineResponse; ms: number }
  | { type: 'error'; id: number; message: string }
  /** The session stopped here (after a step, a continue, a go-to). */
  | { type: 'position'; position: TimelinePosition };

export type FromWebview =
  | { type: 'ready' }
  | { type: 'query'; id: number; fromNs?: number; toNs?: number; bins: number }
  | { type: 'goto'; event?: number; timeNs?: number }
  | { type: 'export'; fromNs: number; toNs: number };
