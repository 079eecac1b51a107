"use client";
// A client component that writes a value once mounted (../../shared/write_plan.js, the write every
// app makes): the README's React example (one client per page, shared; React's development
// StrictMode runs effects twice, the client is still made once).
import { useEffect, useState } from "react";
import { createClient } from "attrkit";

import { writePlan } from "../../shared/write_plan.js";

let clientPromise;
const attrkit = (options) => (clientPromise ??= createClient(options));

export default function Writer() {
  const [status, setStatus] = useState("loading");
  useEffect(() => {
    writePlan(attrkit, setStatus);
  }, []);
  return <p id="status">{status}</p>;
}
