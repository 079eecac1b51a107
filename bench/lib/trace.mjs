// Main-thread time from a Chrome trace (Playwright's browser.startTracing, i.e. CDP Tracing).
//
// "Main-thread time" = the summed duration of the top-level tasks (RunTask / ThreadControllerImpl::
// RunTask, category "toplevel") on the page renderer's main thread (CrRendererMain) that START
// at or after the `from` user-timing mark and before the `to` mark (or the end of the trace when
// `to` is not given). Idle time is not counted; nested work is counted once (only the outermost).
// Blink also runs microtask checkpoints outside any task (BlinkScheduler_PerformMicrotaskCheckpoint
// at the top level, e.g. when a fetch settles): the promise callbacks run there (an SDK's start
// after its .wasm or config arrived), so those count as tasks too. Until 2026-12-07 22:40 UTC they
// were left out, for every SDK: the figures in bench/README.md before "sixth session" miss them.
// "Main-thread CPU" = the same tasks' thread time (trace `tdur`): without the time the thread was
// runnable but waited for a core. On a busy 2-core machine a cold start's tasks last about twice
// their thread time, and by how much varies from run to run; thread time varies much less.
// Only what the figure needs (the top-level tasks and the marks): the timeline categories make a
// trace of 1,000 requests tens of MB, and reading it back costs more than the workload.
export const TRACE_CATEGORIES = ["toplevel", "blink.user_timing"];

export async function startTrace(browser, page) {
  await browser.startTracing(page, { categories: TRACE_CATEGORIES });
}

export async function stopTrace(browser) {
  const buf = await browser.stopTracing();
  const doc = JSON.parse(buf.toString("utf8"));
  return Array.isArray(doc) ? doc : doc.traceEvents;
}

/** The renderer main threads in the trace, each {pid, tid, busy}. */
function mainThreads(events) {
  const threads = [];
  for (const e of events) {
    if (e.ph === "M" && e.name === "thread_name" && e.args?.name === "CrRendererMain") threads.push({ pid: e.pid, tid: e.tid });
  }
  return threads;
}

const TASKS = new Set(["RunTask", "ThreadControllerImpl::RunTask", "BlinkScheduler_PerformMicrotaskCheckpoint"]);
/** A top-level unit of main-thread work (one definition for run.mjs and ready_trace.mjs). */
export const isTask = (e) => e.ph === "X" && TASKS.has(e.name);

/** The outermost of `list` (events of one thread): those not inside another one of the list. */
export function outermost(list) {
  const sorted = [...list].sort((x, y) => x.ts - y.ts || y.dur - x.dur);
  const out = [];
  let end = -Infinity;
  for (const e of sorted) {
    if (e.ts >= end) {
      out.push(e);
      end = e.ts + e.dur;
    }
  }
  return out;
}

/**
 * @param {object[]} events trace events
 * @param {{from?: string, to?: string}} marks user-timing mark names bounding the window
 * @returns {{ms: number, cpuMs: number, tasks: number, longestMs: number, found: boolean}}
 */
export function mainThreadTime(events, { from, to } = {}) {
  const markTs = (name) => {
    const m = events.filter((e) => e.name === name && String(e.cat).includes("user_timing"));
    return m.length ? { ts: Math.min(...m.map((e) => e.ts)), pid: m[0].pid } : null;
  };
  const a = from ? markTs(from) : null;
  const b = to ? markTs(to) : null;
  // The page's renderer: the one whose main thread carries the marks; else the busiest.
  const threads = mainThreads(events);
  let pid = a?.pid ?? b?.pid;
  if (pid === undefined) {
    let best = -1;
    for (const t of threads) {
      const busy = events.filter((e) => e.pid === t.pid && e.tid === t.tid && isTask(e)).reduce((n, e) => n + e.dur, 0);
      if (busy > best) [best, pid] = [busy, t.pid];
    }
  }
  const main = threads.filter((t) => t.pid === pid).map((t) => t.tid);
  let total = 0;
  let cpu = 0;
  let count = 0;
  let longest = 0;
  const tasks = main.flatMap((tid) => outermost(events.filter((e) => e.pid === pid && e.tid === tid && isTask(e))));
  for (const e of tasks) {
    if (a && e.ts + e.dur < a.ts) continue; // ended before the window: not counted
    if (b && e.ts > b.ts) continue;
    // A task that straddles a mark is counted for its part inside the window.
    const start = a ? Math.max(e.ts, a.ts) : e.ts;
    const end = b ? Math.min(e.ts + e.dur, b.ts) : e.ts + e.dur;
    if (end <= start) continue;
    total += end - start;
    cpu += (e.tdur ?? 0) * ((end - start) / Math.max(e.dur, 1)); // a straddling task's share, in proportion
    count += 1;
    longest = Math.max(longest, e.dur);
  }
  return { ms: total / 1000, cpuMs: cpu / 1000, tasks: count, longestMs: longest / 1000, found: main.length > 0 && (!from || !!a) };
}
