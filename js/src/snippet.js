// The inline loader (DESIGN §2a). js/build.mjs minifies it to dist/snippet.min.js (< 700 bytes,
// checked by tests/js/sdk_script.test.mjs). Paste it in <head>; change the URL to where
// attrkit.js is served. A second copy on the page does nothing (`s`, an own property, marks the
// first: an inherited Object.prototype.s must not stop the SDK).
// The release's snippet (dist/snippet.min.js) also names the release's .wasm and its SRI hash (the
// last two arguments, filled in by js/build.mjs; empty here): it starts downloading and compiling
// the .wasm at once, beside the script's download, instead of after the script ran (docs/sdk.md
// "Start sequence"). `w` is [the .wasm's name, a Promise of its module (undefined when the compile
// failed)]: attrkit.js takes that module only when the name is its own release's .wasm, else (or
// when the compile failed) it fetches its .wasm itself, or takes the no-Wasm fallback.
// It also carries the SRI hash of that attrkit.js (DESIGN §6; empty here: a development copy loads
// any attrkit.js), set with crossorigin on the script. The fetch init has no prototype (DESIGN §6).
(function (w, d, url, wasm, sri, wasmSri) {
  var q = (w.attrkit = w.attrkit || []);
  if ({}.hasOwnProperty.call(q, "s")) return;
  q.s = 1;
  var e = d.createElement("script");
  e.async = true;
  e.src = url;
  if (sri) {
    e.integrity = sri;
    e.crossOrigin = "anonymous";
  }
  (d.head || d.documentElement).appendChild(e);
  var W = w.WebAssembly;
  if (wasm && W && W.compileStreaming) {
    var init = { __proto__: null, integrity: wasmSri, credentials: "same-origin" };
    q.w = [wasm, W.compileStreaming(fetch(url.replace(/[^/]*$/, wasm), init))["catch"](function () {})];
  }
})(window, document, "/sdk/attrkit.js", "", "", "");
