"use client";
// A client component that writes a value once mounted (the README's React example).
import { useEffect, useState } from "react";
import { createClient } from "attrkit";

export default function Writer() {
  const [status, setStatus] = useState("loading");
  useEffect(() => {
    const q = new URLSearchParams(window.location.search);
    let client;
    const show = (text) => {
      setStatus(text);
      window.__attrkitResult = text;
    };
    createClient({ publicKey: q.get("pk"), apiHost: q.get("host") })
      .then((c) => {
        client = c;
        return c.analytics.setAttribute({ distinctId: q.get("id"), attribute: "plan", value: "growth" });
      })
      .then(
        (r) => show(`stored ${r.attribute}=${r.value}`),
        (err) => {
          show(`failed ${err && err.code}`);
          console.error(err);
        },
      );
    return () => client?.close();
  }, []);
  return <p id="status">{status}</p>;
}
