// What the tree highlights while debugging, without VS Code: the adapter's qemuIo/stage events,
// runs, focus changes to other threads and the end of a session.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatFrameName, parseFrameName } from '../../common/frame-name';
import { parseStageEvent, StageEventBody, StageState } from '../../extension/debug/stageState';

const stop = (threadId: number, fn: string, extra: Partial<StageEventBody> = {}): StageEventBody => ({
  threadId,
  thread: `t${threadId}`,
  function: fn,
  stage: 'poll',
  group: 'poll',
  requestIds: [0],
  hitCounts: {},
  ...extra,
});

test('parseStageEvent accepts the agreed body and tolerates missing optional parts', () => {
  const full = {
    threadId: 2,
    thread: 'main-loop',
    function: 'aio_poll',
    stage: 'poll',
    group: 'poll',
    requestIds: [3, 4],
    hitCounts: { aio_poll: 2, bad: 'x' },
  };
  assert.deepEqual(parseStageEvent(full), { ...full, hitCounts: { aio_poll: 2 } });
  assert.deepEqual(parseStageEvent({ threadId: 1, function: '' }), {
    threadId: 1,
    thread: 'thread 1',
    function: '',
    stage: '',
    group: '',
    requestIds: [],
    hitCounts: {},
  });
  assert.equal(parseStageEvent(null), undefined);
  assert.equal(parseStageEvent({ function: 'x' }), undefined);
  assert.equal(parseStageEvent({ threadId: '1', function: 'x' }), undefined);
});

test("parseFrameName reads the adapter's frame names, as formatFrameName writes them", () => {
  for (const f of [{ name: 'aio_poll' }, { name: 'raw_co_pwritev', qualifier: 'file-posix' }])
    assert.deepEqual(parseFrameName(formatFrameName(f)), f);
  assert.deepEqual(parseFrameName('aio_poll'), { name: 'aio_poll' });
  assert.deepEqual(parseFrameName('raw_co_pwritev [file-posix]'), { name: 'raw_co_pwritev', qualifier: 'file-posix' });
  assert.equal(parseFrameName('coroutine #7 · blk_aio_write_entry'), undefined);
  assert.equal(parseFrameName(''), undefined);
});

test("a stop highlights the stopped thread's stage; hit counts come along", () => {
  const s = new StageState();
  assert.equal(s.current(), undefined);
  s.onStage('A', stop(1, 'aio_poll', { hitCounts: { aio_poll: 3 } }));
  assert.deepEqual(s.current(), {
    threadId: 1,
    thread: 't1',
    function: 'aio_poll',
    stage: 'poll',
    group: 'poll',
    requestIds: [0],
  });
  assert.deepEqual(s.hitCounts(), { aio_poll: 3 });
});

test('running clears the highlight (hit counts stay); the next stop sets it again', () => {
  const s = new StageState();
  s.onStage('A', stop(1, 'aio_poll', { hitCounts: { aio_poll: 1 } }));
  s.onRunning('A');
  assert.equal(s.current(), undefined);
  assert.deepEqual(s.hitCounts(), { aio_poll: 1 });
  s.onStage(
    'A',
    stop(3, 'worker_thread', { stage: 'pool-worker', group: 'pool', hitCounts: { aio_poll: 1, worker_thread: 1 } }),
  );
  assert.equal(s.current()?.function, 'worker_thread');
  assert.equal(s.current()?.group, 'pool');
});

test('focusing another thread asks for a lookup, whose answer is then shown', () => {
  const s = new StageState();
  s.onStage('A', stop(1, 'aio_poll'));
  s.setFocus('A', 2);
  assert.equal(s.current(), undefined);
  assert.deepEqual(s.pendingLookup(), { sessionId: 'A', threadId: 2 });
  s.setThreadStage('A', {
    threadId: 2,
    thread: 'worker-1',
    function: 'worker_thread',
    stage: 'pool-worker',
    group: 'pool',
    requestIds: [],
  });
  assert.equal(s.pendingLookup(), undefined);
  assert.equal(s.current()?.thread, 'worker-1');
  // back to the stopped thread
  s.setFocus('A', 1);
  assert.equal(s.current()?.function, 'aio_poll');
  // a lookup answered after the session ran on is dropped
  s.setFocus('A', 4);
  s.onRunning('A');
  s.setThreadStage('A', { threadId: 4, thread: 'x', function: 'f', requestIds: [] });
  assert.equal(s.current(), undefined);
});

test('a new stop focuses its own thread; sessions are kept apart; ending one clears it', () => {
  const s = new StageState();
  s.onStage('A', stop(1, 'aio_poll'));
  s.setFocus('A', 2);
  s.onStage('A', stop(5, 'virtio_blk_handle_vq'));
  assert.equal(s.current()?.threadId, 5);
  s.onStage('B', stop(1, 'laio_co_submit'));
  assert.equal(s.current()?.function, 'virtio_blk_handle_vq', 'focus stays on session A');
  s.setFocus('B', 1);
  assert.equal(s.current()?.function, 'laio_co_submit');
  s.onEnded('B');
  assert.equal(s.current(), undefined);
  assert.equal(s.hasSession('B'), false);
  assert.equal(s.hasSession('A'), true);
});

test("a session's catalog version comes with its stops: a replay of a 10.0 log is read in 10.0's names", () => {
  assert.equal(parseStageEvent({ threadId: 1, function: 'f', qemuVersion: '10.0' })?.qemuVersion, '10.0');
  assert.equal(parseStageEvent({ threadId: 1, function: 'f', qemuVersion: 7 })?.qemuVersion, undefined);
  const st = new StageState();
  assert.equal(st.catalogVersion(), undefined, 'no session: no version');
  st.onStage('sim', stop(1, 'aio_poll'));
  assert.equal(st.catalogVersion(), '4.1.0', 'a simulation does not say: the modelled 4.1.0');
  st.onEnded('sim');
  st.onStage('replay', stop(1, 'bdrv_co_pwritev_part', { stage: 'bdrv', group: 'block', qemuVersion: '10.0' }));
  assert.equal(st.catalogVersion(), '10.0');
  assert.equal(st.versionOf('replay'), '10.0');
  st.onRunning('replay');
  assert.equal(st.catalogVersion(), '10.0', 'the version stays while the replay runs');
  st.onEnded('replay');
  assert.equal(st.catalogVersion(), undefined);
});
