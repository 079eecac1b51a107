// The one write every app makes (the README's quick start), shared by the apps' sources so each
// bundler and framework builds the same code: a client from the page's query (?pk=...&host=...,
// and ?wasm=URL for createClient's wasmUrl option: the .wasm from elsewhere, a CDN), then
// plan="growth" for ?id=.... The outcome goes to `show` (by default the page's #status) and to
// window.__attrkitResult, which the test reads before it reads the value back from the server.
//
// `createClient` is the app's own import of "attrkit" (or a wrapper of it): this file imports
// nothing, so it resolves the same way under every bundler and in a plain static folder.
export function writePlan(createClient, show = (text) => (document.getElementById("status").textContent = text)) {
  const q = new URLSearchParams(window.location.search);
  const report = (text) => {
    show(text);
    window.__attrkitResult = text;
  };
  const options = { publicKey: q.get("pk"), apiHost: q.get("host") };
  if (q.has("wasm")) options.wasmUrl = q.get("wasm");
  return createClient(options)
    .then((client) => client.analytics.setAttribute({ distinctId: q.get("id"), attribute: "plan", value: "growth" }))
    .then(
      (r) => report(`stored ${r.attribute}=${r.value}`),
      (err) => {
        report(`failed ${err && err.code}`);
        console.error(err);
      },
    );
}
