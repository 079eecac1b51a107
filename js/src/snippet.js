// The inline loader (DESIGN §2a). js/build.mjs minifies it to dist/snippet.min.js (< 600 bytes,
// checked by tests/js/sdk_snippet.test.mjs). Paste it in <head>; change the URL to where
// attrkit.js is served. A second copy on the page does nothing (`s`, an own property, marks the first: an inherited
// Object.prototype.s must not stop the SDK).
(function (w, d, url, sri) {
  var q = (w.attrkit = w.attrkit || []);
  if ({}.hasOwnProperty.call(q, "s")) return;
  q.s = 1;
  var e = d.createElement("script");
  e.async = true;
  e.src = url;
  // Subresource Integrity: js/build.mjs fills in the hash of the release's attrkit.js.
  if (sri) {
    e.integrity = sri;
    e.crossOrigin = "anonymous";
  }
  (d.head || d.documentElement).appendChild(e);
})(window, document, "/sdk/attrkit.js", "");
