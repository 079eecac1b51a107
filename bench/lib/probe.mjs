// Page probes, installed with page.addInitScript before any page script runs (the SDKs are not
// changed; only public page APIs are observed):
//   __bench.ready()        the SDK's ready: records performance.now() and the "bench-ready" mark
//   __bench.scripts[src]   when each <script src> fired its load event (ms from navigation)
//   __bench.wasmBytes()    the summed byteLength of every WebAssembly.Memory the page's modules
//                          export or import: WebAssembly.instantiate / instantiateStreaming /
//                          new WebAssembly.Instance are wrapped to see the instances
//   __bench.counts()       (with `countListeners`) live timers (setTimeout pending + setInterval)
//                          and event listeners added minus removed, on window / document / any
//                          EventTarget, from the wrapped platform functions
export function probe({ countListeners = false } = {}) {
  const b = (window.__bench = { scripts: {}, memories: [], readyAt: null });
  document.addEventListener(
    "load",
    (e) => {
      const t = e.target;
      if (t && t.tagName === "SCRIPT" && t.src && !(t.src in b.scripts)) b.scripts[t.src] = performance.now();
    },
    true,
  );
  // Told to the harness as a console message (CDP, nothing runs in the page), not polled with
  // waitForFunction, whose injected script Playwright compiles on the page's main thread: that
  // would count against an SDK that is ready after the load event and not against one ready
  // inside its own script. console.debug is taken before any page script can wrap it.
  const debug = console.debug.bind(console);
  b.ready = () => {
    if (b.readyAt !== null) return;
    b.readyAt = performance.now();
    performance.mark("bench-ready");
    debug("bench-ready");
  };
  const W = window.WebAssembly;
  if (W) {
    const M = W.Memory;
    const scan = (imports) => {
      try {
        for (const mod of Object.values(imports || {})) for (const v of Object.values(mod || {})) if (v instanceof M) b.memories.push(v);
      } catch {}
    };
    const keep = (r) => {
      try {
        const inst = r instanceof W.Instance ? r : r && r.instance;
        if (inst) for (const v of Object.values(inst.exports)) if (v instanceof M) b.memories.push(v);
      } catch {}
      return r;
    };
    const inst0 = W.instantiate;
    W.instantiate = function (...a) {
      scan(a[1]);
      return inst0.apply(this, a).then(keep);
    };
    const stream0 = W.instantiateStreaming;
    if (stream0) {
      W.instantiateStreaming = function (...a) {
        scan(a[1]);
        return stream0.apply(this, a).then(keep);
      };
    }
    const Instance0 = W.Instance;
    const Instance = function (mod, imports) {
      scan(imports);
      return keep(new Instance0(mod, imports));
    };
    Instance.prototype = Instance0.prototype;
    W.Instance = Instance;
  }
  b.wasmBytes = () => [...new Set(b.memories)].reduce((n, m) => n + m.buffer.byteLength, 0);

  if (countListeners) {
    const timers = new Set();
    let listeners = 0;
    const st = window.setTimeout;
    const ct = window.clearTimeout;
    const si = window.setInterval;
    const ci = window.clearInterval;
    window.setTimeout = function (fn, ...rest) {
      let id;
      const wrapped = typeof fn === "function" ? function (...x) { timers.delete(id); return fn.apply(this, x); } : fn;
      id = st.call(this, wrapped, ...rest);
      timers.add(id);
      return id;
    };
    window.clearTimeout = function (id) {
      timers.delete(id);
      return ct.call(this, id);
    };
    window.setInterval = function (...a) {
      const id = si.apply(this, a);
      timers.add(id);
      return id;
    };
    window.clearInterval = function (id) {
      timers.delete(id);
      return ci.call(this, id);
    };
    const add = EventTarget.prototype.addEventListener;
    const remove = EventTarget.prototype.removeEventListener;
    // Counts distinct (target, type, listener, capture) registrations, as the platform does.
    const live = new WeakMap();
    const keyOf = (type, fn, opts) => `${type}|${typeof opts === "boolean" ? opts : !!(opts && opts.capture)}`;
    EventTarget.prototype.addEventListener = function (type, fn, opts) {
      // A `once` listener removes itself: not counted as live.
      if (fn && !(opts && typeof opts === "object" && opts.once)) {
        let m = live.get(this);
        if (!m) live.set(this, (m = new Map()));
        const k = keyOf(type, fn, opts);
        let s = m.get(k);
        if (!s) m.set(k, (s = new Set()));
        if (!s.has(fn)) {
          s.add(fn);
          listeners += 1;
        }
      }
      return add.call(this, type, fn, opts);
    };
    EventTarget.prototype.removeEventListener = function (type, fn, opts) {
      const s = live.get(this)?.get(keyOf(type, fn, opts));
      if (s && s.delete(fn)) listeners -= 1;
      return remove.call(this, type, fn, opts);
    };
    b.counts = () => ({ timers: timers.size, listeners });
  }
}
