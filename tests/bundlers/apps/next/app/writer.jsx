"use client";
// A client component that writes a value once mounted: the README's React example (one client per
// page, shared; React's development StrictMode runs effects twice, the client is still made once).
import { useEffect, useState } from "react";
import { createClient } from "attrkit";

let clientPromise;
const attrkit = (options) => (clientPromise ??= createClient(options));

export default function Writer() {
  const [status, setStatus] = useState("loading");
  useEffect(() => {
    const q = new URLSearchParams(window.location.search);
    const show = (text) => {
      setStatus(text);
      window.__attrkitResult = text;
    };
    attrkit({ publicKey: q.get("pk"), apiHost: q.get("host") })
      .then((client) => client.analytics.setAttribute({ distinctId: q.get("id"), attribute: "plan", value: "growth" }))
      .then(
        (r) => show(`stored ${r.attribute}=${r.value}`),
        (err) => {
          show(`failed ${err && err.code}`);
          console.error(err);
        },
      );
  }, []);
  return <p id="status">{status}</p>;
}
