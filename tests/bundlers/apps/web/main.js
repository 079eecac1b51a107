// The app every bundler builds (webpack, Vite, Parcel, Rollup, esbuild): what the README's npm
// quick start does. The page's query names the server (?pk=...&host=...&id=...); the result is
// shown in #status and in window.__attrkitResult for the test.
import { createClient } from "attrkit";

const q = new URLSearchParams(location.search);
const status = document.getElementById("status");
const show = (text) => {
  status.textContent = text;
  window.__attrkitResult = text;
};

createClient({ publicKey: q.get("pk"), apiHost: q.get("host") })
  .then((client) => client.analytics.setAttribute({ distinctId: q.get("id"), attribute: "plan", value: "growth" }))
  .then(
    (r) => show(`stored ${r.attribute}=${r.value}`),
    (err) => {
      show(`failed ${err && err.code}`);
      console.error(err);
    },
  );
