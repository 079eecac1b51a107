// The SDKs the benchmark compares: how each is loaded (as its docs say), how it is initialised
// against the local collector, what "ready" means for it, and its own call for identifying a user
// and setting one user/person attribute. bench/README.md "What is measured" lists the same.
//
// Every page defines, in its own <head> script:
//   window.__benchIdentify(id)   the SDK's identify
//   window.__benchSet(key, val)  the SDK's own call for one user/person attribute
// and calls window.__bench.ready() (installed by the probe, lib/probe.mjs) at the SDK's ready.
//
// Peers are configured to do only this job: automatic page views, autocapture, session
// recording and surveys are turned off where the SDK has an option for it (they are not
// attribute work, and would only add to the peer's cost). Everything else is left at its default.
import { readFileSync, existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
export const benchDir = path.resolve(here, "..");
export const repoRoot = path.resolve(benchDir, "..");
const nm = (p) => path.join(benchDir, "node_modules", p);
const js = (v) => JSON.stringify(v).replace(/</g, "\\u003c");

/** Reads a file shipped in a peer package; null when the package is not installed. */
function pkgFile(p) {
  const f = nm(p);
  return existsSync(f) ? readFileSync(f) : null;
}

/** esbuild: one minified IIFE of a package's npm entry that puts the export on window. */
async function bundle(source) {
  const esbuild = await import("esbuild");
  const out = await esbuild.build({
    stdin: { contents: source, resolveDir: benchDir, loader: "js" },
    bundle: true,
    minify: true,
    format: "iife",
    platform: "browser",
    target: "es2020",
    write: false,
    logLevel: "silent",
    define: { "process.env.NODE_ENV": '"production"' },
  });
  return Buffer.from(out.outputFiles[0].contents);
}

const JS = "text/javascript; charset=utf-8";

// A loader like every vendor snippet: an async <script> added from an inline script; `onload`
// code runs once it has been evaluated.
const asyncScript = (src, onload) =>
  `(function(){var s=document.createElement("script");s.async=true;s.src=${js(src)};` +
  `s.onload=function(){${onload}};(document.head||document.documentElement).appendChild(s);})();`;

/**
 * Each SDK: {name, pkg, loading, ready (definition, written in README), mainFile (path of the
 * script whose load is "script loaded"), writes (the paths of its write requests: values are
 * counted in these only, since some SDKs echo person properties in other requests), quietMs (how
 * long nothing may be sent before a workload counts as finished: the SDK's default flush interval
 * + 1 s), files() -> {path: {body, type}}, head(c) -> inline script,
 * route(req) -> answer}. `c` = {collector: url}.
 */
export const PEERS = [
  {
    name: "PostHog",
    pkg: "posthog-js",
    loading: "dist/array.js (the file the PostHog snippet loads from its CDN), async script tag, then posthog.init",
    ready: "the `loaded` callback of posthog.init",
    set: "posthog.setPersonProperties({key: value}) (a $set event)",
    mainFile: "/static/array.js",
    writes: /^\/(e|i\/v0\/e|batch|capture)\b/,
    quietMs: 3000 + 1000, // request_batching: the queue is sent every 3 s
    async files() {
      const b = pkgFile("posthog-js/dist/array.js");
      return b && { "/static/array.js": { body: b, type: JS } };
    },
    head: (c) =>
      asyncScript(`${c.collector}/static/array.js`,
        `posthog.init("phc_benchmarkbenchmarkbenchmarkbenchmark",${js({
          api_host: c.collector,
          autocapture: false,
          capture_pageview: false,
          capture_pageleave: false,
          disable_session_recording: true,
          disable_surveys: true,
          persistence: "localStorage",
          // Playwright's Chromium sets navigator.webdriver: PostHog drops every event of a
          // "bot" unless told not to (its own advice for end-to-end tests).
          opt_out_useragent_filter: true,
        }).slice(0, -1)},"loaded":function(){__bench.ready()}});`) +
      `window.__benchIdentify=function(id){posthog.identify(id)};` +
      `window.__benchSet=function(k,v){var o={};o[k]=v;posthog.setPersonProperties(o)};`,
    route(req) {
      if (req.path.startsWith("/flags") || req.path.startsWith("/decide")) {
        return { json: { flags: {}, featureFlags: {}, featureFlagPayloads: {}, errorsWhileComputingFlags: false, requestId: "bench" } };
      }
      if (req.path.startsWith("/array/")) {
        return req.path.endsWith(".js") ? { body: "", headers: { "Content-Type": JS } } : { json: {} };
      }
      return { json: { status: 1 } };
    },
  },
  {
    name: "Segment",
    pkg: "@segment/analytics-next",
    loading: "esbuild bundle (minified IIFE) of the npm entry, AnalyticsBrowser.load with cdnURL and the Segment.io apiHost pointed at the collector",
    ready: "analytics.ready(callback)",
    set: "analytics.identify({key: value}) (traits)",
    mainFile: "/segment.js",
    writes: /^\/v1\/(identify|i|batch|b)\b/,
    quietMs: 1000,
    async files() {
      if (!existsSync(nm("@segment/analytics-next"))) return null;
      const b = await bundle(`import { AnalyticsBrowser } from "@segment/analytics-next"; window.SegmentAnalyticsBrowser = AnalyticsBrowser;`);
      return { "/segment.js": { body: b, type: JS } };
    },
    head: (c) =>
      asyncScript(`${c.collector}/segment.js`,
        `var a=SegmentAnalyticsBrowser.load(${js({ writeKey: "benchWriteKey", cdnURL: c.collector })},` +
        `${js({ integrations: { "Segment.io": { apiHost: `${new URL(c.collector).host}/v1`, protocol: "http" } } })});` +
        `window.analytics=a;a.ready(function(){__bench.ready()});`) +
      `window.__benchIdentify=function(id){analytics.identify(id)};` +
      `window.__benchSet=function(k,v){var o={};o[k]=v;analytics.identify(o)};`,
    route(req, c) {
      if (req.path.endsWith("/settings")) {
        return {
          json: {
            integrations: { "Segment.io": { apiKey: "benchWriteKey", apiHost: `${new URL(c.collector).host}/v1`, protocol: "http" } },
            plan: { track: { __default: { enabled: true } }, identify: { __default: { enabled: true } } },
            edgeFunction: {},
            analyticsNextEnabled: true,
            middlewareSettings: {},
            enabledMiddleware: {},
            metrics: { sampleRate: 0 },
            legacyVideoPluginsEnabled: false,
            remotePlugins: [],
          },
        };
      }
      return { json: { success: true } };
    },
  },
  {
    name: "Amplitude",
    pkg: "@amplitude/analytics-browser",
    loading: "lib/scripts/amplitude-min.js (the CDN build) through the package's own snippet (amplitude-snippet-min.js, URL pointed at the collector)",
    ready: "the promise of amplitude.init(...).promise",
    set: "amplitude.identify(new amplitude.Identify().set(key, value))",
    mainFile: "/amplitude-min.js",
    writes: /^\/2\/httpapi/,
    quietMs: 1000 + 1000, // flushIntervalMillis 1 s
    async files() {
      const b = pkgFile("@amplitude/analytics-browser/lib/scripts/amplitude-min.js");
      return b && { "/amplitude-min.js": { body: b, type: JS } };
    },
    head(c) {
      let snippet = pkgFile("@amplitude/analytics-browser/lib/scripts/amplitude-snippet-min.js")?.toString("utf8") ?? "";
      // The snippet's integrity is the CDN file's; the URL is the collector's copy of the same build.
      snippet = snippet.replace(/c\.integrity="[^"]*",/, "").replace(/c\.src="[^"]*"/, `c.src=${js(`${c.collector}/amplitude-min.js`)}`);
      return (
        snippet +
        `amplitude.init("benchbenchbenchbenchbenchbench12",${js({
          serverUrl: `${c.collector}/2/httpapi`,
          autocapture: false,
          fetchRemoteConfig: false,
        })}).promise.then(function(){__bench.ready()});` +
        `window.__benchIdentify=function(id){amplitude.setUserId(id)};` +
        `window.__benchSet=function(k,v){amplitude.identify(new amplitude.Identify().set(k,v))};`
      );
    },
    route: () => ({ json: { code: 200, events_ingested: 1, payload_size_bytes: 1, server_upload_time: Date.now() } }),
  },
  {
    name: "Mixpanel",
    pkg: "mixpanel-browser",
    loading: "dist/mixpanel.min.js through the package's own snippet (mixpanel-jslib-snippet.min.js, MIXPANEL_CUSTOM_LIB_URL at the collector)",
    ready: "the `loaded` callback of mixpanel.init",
    set: "mixpanel.people.set({key: value})",
    mainFile: "/mixpanel.min.js",
    writes: /^\/engage/,
    quietMs: 5000 + 1000, // batch_flush_interval_ms 5 s
    async files() {
      const b = pkgFile("mixpanel-browser/dist/mixpanel.min.js");
      return b && { "/mixpanel.min.js": { body: b, type: JS } };
    },
    head(c) {
      const snippet = pkgFile("mixpanel-browser/dist/mixpanel-jslib-snippet.min.js")?.toString("utf8") ?? "";
      return (
        `var MIXPANEL_CUSTOM_LIB_URL=${js(`${c.collector}/mixpanel.min.js`)};` +
        snippet +
        `;mixpanel.init("benchbenchbenchbenchbenchbench12",${js({
          api_host: c.collector,
          track_pageview: false,
          persistence: "localStorage",
        }).slice(0, -1)},"loaded":function(){__bench.ready()}});` +
        `window.__benchIdentify=function(id){mixpanel.identify(id)};` +
        `window.__benchSet=function(k,v){var o={};o[k]=v;mixpanel.people.set(o)};`
      );
    },
    route: (req) => (req.path.startsWith("/flags") || req.path.startsWith("/decide") ? { json: { flags: {} } } : { json: { status: 1, error: null } }),
  },
  {
    name: "RudderStack",
    pkg: "@rudderstack/analytics-js",
    loading: "esbuild bundle (minified IIFE) of the npm `bundled` entry (plugins inside: the default entry loads them from RudderStack's CDN), configUrl and data plane at the collector",
    ready: "rudderanalytics.ready(callback)",
    set: "rudderanalytics.identify({key: value}) (traits)",
    mainFile: "/rudderstack.js",
    writes: /^\/v1\/(identify|batch)\b/,
    quietMs: 1000,
    async files() {
      if (!existsSync(nm("@rudderstack/analytics-js"))) return null;
      const b = await bundle(`import { RudderAnalytics } from "@rudderstack/analytics-js/bundled"; window.RudderAnalytics = RudderAnalytics;`);
      return { "/rudderstack.js": { body: b, type: JS } };
    },
    head: (c) =>
      asyncScript(`${c.collector}/rudderstack.js`,
        `var r=new RudderAnalytics();window.rudderanalytics=r;` +
        `r.load("benchWriteKeybenchWriteKey12",${js(c.collector)},${js({ configUrl: c.collector, destSDKBaseURL: `${c.collector}/dest`, pluginsSDKBaseURL: `${c.collector}/plugins`, polyfillIfRequired: false })});` +
        `r.ready(function(){__bench.ready()});`) +
      `window.__benchIdentify=function(id){rudderanalytics.identify(id)};` +
      `window.__benchSet=function(k,v){var o={};o[k]=v;rudderanalytics.identify(o)};`,
    route(req) {
      if (req.path.startsWith("/sourceConfig")) {
        return {
          json: {
            isHosted: true,
            source: {
              id: "benchSource", name: "bench", writeKey: "benchWriteKeybenchWriteKey12", workspaceId: "benchWs",
              enabled: true, config: {}, destinations: [],
            },
          },
        };
      }
      return { body: "OK" };
    },
  },
  {
    name: "VWO FME",
    pkg: "vwo-fme-node-sdk",
    loading: "dist/client/vwo-fme-javascript-sdk.min.js (the package's browser build, global vwoSdk), init with gatewayService at the collector",
    ready: "the promise of vwoSdk.init(...) (settings fetched)",
    set: "vwoClient.setAttribute(key, value, {id}) (one vwo_syncVisitorProp event)",
    mainFile: "/vwo-fme.js",
    writes: /^\/events\//,
    quietMs: 1000,
    async files() {
      const b = pkgFile("vwo-fme-node-sdk/dist/client/vwo-fme-javascript-sdk.min.js");
      return b && { "/vwo-fme.js": { body: b, type: JS } };
    },
    head: (c) =>
      asyncScript(`${c.collector}/vwo-fme.js`,
        `vwoSdk.init(${js({ sdkKey: "benchbenchbenchbenchbenchbench12", accountId: "123456", gatewayService: { url: c.collector } })})` +
        `.then(function(cl){window.vwoClient=cl;__bench.ready()});`) +
      `window.__benchIdentify=function(id){window.__vwoUser=id};` +
      `window.__benchSet=function(k,v){vwoClient.setAttribute(k,v,{id:window.__vwoUser})};`,
    route(req) {
      if (req.path.includes("settings")) {
        return { json: { version: 1, accountId: 123456, sdkKey: "benchbenchbenchbenchbenchbench12", features: [], campaigns: [], collectionPrefix: "" } };
      }
      return { json: {} };
    },
  },
];

/**
 * attrkit's real loader snippet, loading the SDK from `sdkUrl`: the built one (js/dist/snippet.min.js,
 * which carries what the build fills in, such as an SRI hash) when it exists, else the source
 * (js/src/snippet.js). Its one string literal ending in "/attrkit.js" is swapped for `sdkUrl`, as the
 * e2e tests do, so the page runs the shipped snippet's code.
 */
export function attrkitSnippet(sdkUrl) {
  const literal = /(["'])[^"'\n]*\/attrkit(?:\.min)?\.js\1/;
  for (const f of ["js/dist/snippet.min.js", "js/src/snippet.js"]) {
    const file = path.join(repoRoot, f);
    if (!existsSync(file)) continue;
    const src = readFileSync(file, "utf8");
    if (literal.test(src)) return src.replace(literal, () => js(sdkUrl));
  }
  throw new Error('attrkit snippet: no "…/attrkit.js" URL literal in js/dist/snippet.min.js or js/src/snippet.js');
}

// attrkit itself: the real snippet (attrkitSnippet) and
// js/dist/attrkit.js, or the npm ESM build js/dist/attrkit.mjs; both against the real server.
export const ATTRKIT = [
  {
    name: "attrkit",
    flavour: "script",
    loading: "the real snippet (js/dist/snippet.min.js, else js/src/snippet.js) adding js/dist/attrkit.js (+ its .wasm), served by the real server",
    ready: 'the "ready" event (push ["on", "ready", [fn]]): config applied and stored state read',
    set: 'attrkit.push(["set", "user:attributes", [{key: value}]])',
    mainFile: "/sdk/attrkit.js",
    writes: /^\/api\/v1\/attributes\/values/,
    quietMs: 1000 + 1000, // the flush window, 1 s
    head(c) {
      const snippet = attrkitSnippet(`${c.collector}/sdk/attrkit.js`);
      return (
        `${snippet}\n;attrkit.push(["do","init",[${js({ publicKey: c.publicKey, apiHost: c.collector })}]]);` +
        `attrkit.push(["on","ready",[function(){__bench.ready()}]]);` +
        `window.__benchIdentify=function(id){attrkit.push(["do","identify",[id]])};` +
        `window.__benchSet=function(k,v){var o={};o[k]=v;attrkit.push(["set","user:attributes",[o]])};`
      );
    },
  },
  {
    name: "attrkit (npm)",
    flavour: "npm",
    loading: "js/dist/attrkit.mjs imported by an inline module script (+ the .wasm beside it), createClient",
    ready: "the promise of createClient(...)",
    set: 'client.push(["set", "user:attributes", [{key: value}]])',
    mainFile: "/sdk/attrkit.mjs",
    writes: /^\/api\/v1\/attributes\/values/,
    quietMs: 1000 + 1000,
    module: true,
    head: (c) =>
      `import { createClient } from ${js(`${c.collector}/sdk/attrkit.mjs`)};` +
      `window.__benchIdentify=function(id){window.__ak.push(["do","identify",[id]])};` +
      `window.__benchSet=function(k,v){var o={};o[k]=v;window.__ak.push(["set","user:attributes",[o]])};` +
      `createClient(${js({ publicKey: c.publicKey, apiHost: c.collector })}).then(function(cl){window.__ak=cl;__bench.ready()});`,
  },
];
