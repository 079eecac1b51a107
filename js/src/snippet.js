// The inline loader (DESIGN §2a). js/build.mjs minifies it to dist/snippet.min.js (< 600 bytes,
// checked by tests/js/sdk_snippet.test.mjs). Paste it in <head>; change the URL to where
// attrkit.js is served. A second copy on the page does nothing (`s`, an own property, marks the
// first: an inherited Object.prototype.s must not stop the SDK).
// The release's snippet (dist/snippet.min.js) also names the release's .wasm (its last argument,
// filled in by js/build.mjs; empty here): a preload starts its download beside the script's
// instead of after the script ran (docs/sdk.md "Start sequence"). attrkit.js then fetches that
// same URL, the same way (CORS, same-origin credentials), and takes the preloaded response.
// It also carries the SRI hash of that attrkit.js (DESIGN §6; empty here: a development copy loads
// any attrkit.js), set with crossorigin on the script. (Chromium ignores integrity on a fetch
// preload, with a warning; attrkit.js fetches the .wasm with its hash.)
(function (w, d, url, wasm, sri) {
  var q = (w.attrkit = w.attrkit || []);
  if ({}.hasOwnProperty.call(q, "s")) return;
  q.s = 1;
  var h = d.head || d.documentElement;
  var e = d.createElement("script");
  e.async = true;
  e.src = url;
  if (sri) {
    e.integrity = sri;
    e.crossOrigin = "anonymous";
  }
  h.appendChild(e);
  if (wasm) {
    e = d.createElement("link");
    e.rel = "preload";
    e.as = "fetch";
    e.crossOrigin = "anonymous";
    e.href = url.replace(/[^/]*$/, wasm);
    h.appendChild(e);
  }
})(window, document, "/sdk/attrkit.js", "", "");
