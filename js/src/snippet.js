// The inline loader (DESIGN §2a). js/build.mjs minifies it to dist/snippet.min.js (< 600 bytes,
// checked by tests/js/sdk_snippet.test.mjs). Paste it in <head>; change the URL to where
// attrkit.js is served. A second copy on the page does nothing (`s` marks the first).
(function (w, d, url) {
  var q = (w.attrkit = w.attrkit || []);
  if (q.s) return;
  q.s = 1;
  var e = d.createElement("script");
  e.async = true;
  e.src = url;
  (d.head || d.documentElement).appendChild(e);
})(window, document, "/sdk/attrkit.js");
