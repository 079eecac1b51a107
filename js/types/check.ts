// Type test (tsc --noEmit): what must compile, and with @ts-expect-error what must not.
import { AttrkitError, createClient, type AttrkitQueue, type Client, type EngineState, type PushResult } from "attrkit";

async function main(): Promise<void> {
  const client: Client = await createClient({ publicKey: "pk_live_x", apiHost: "https://api.example.com" });
  await createClient({ publicKey: "pk_live_x", apiHost: "https://api.example.com", wasmUrl: "https://cdn.example.com/attrkit-core.wasm" });
  await createClient({ publicKey: "pk_live_x", apiHost: "https://api.example.com", wasmUrl: new URL("https://cdn.example.com/a.wasm") });
  // @ts-expect-error wasmUrl is a URL or a string
  await createClient({ publicKey: "pk_live_x", apiHost: "https://api.example.com", wasmUrl: 1 });
  const r = await client.analytics.setAttribute({ distinctId: "u1", attribute: "persona", value: "teacher" });
  const personId: string = r.personId;
  const many = await client.analytics.setAttributes({ distinctId: "u1", attributes: { plan: "Pro", team_size: 12, topics: ["math"] } });
  const plan = many.attributes.plan;
  const got = await client.analytics.getAttributes({ distinctId: "u1" });
  const cleared: null = (await client.analytics.clearAttribute({ distinctId: "u1", attribute: "persona" })).value;
  await client.setAttribute("subscription_status", "premium", { id: "user-123" });
  const p: PushResult = await client.push(["set", "user:attributes", [{ plan: "Pro" }, { refetchBoosted: true }]]);
  if (p.ok) console.log(p.value);
  else console.log(p.error.code, p.error.status);
  client.push(["do", "identify", ["user-1", (id: string) => console.log(id)]]);
  client.push(["set", "user:attributes", [{ plan: "Pro" }, false, true]]);
  client.push(["get", "user:attributes", []]);
  client.push(["do", "reset", []]);
  client.push(["do", "consent", ["granted"]]);
  client.push(["do", "debug", [true]]);
  await createClient({ publicKey: "pk_live_x", apiHost: "https://api.example.com", consent: "pending", persistence: "memory", debug: true });
  client.push(["on", "error", [(e: AttrkitError) => console.log(e.code)]]);
  client.on("delivered", (d) => console.log(d.writeId, d.value, d.superseded.toFixed(0)));
  client.on("ready", (info) => console.log(info.workspace));
  try {
    await client.analytics.setAttribute({ distinctId: "u1", attribute: "plan", value: "x" });
  } catch (e) {
    if (e instanceof AttrkitError) console.log(e.code, e.status, e.attribute);
  }
  const state: EngineState | null = client.inspect();
  if (state) console.log(state.clientId, state.identity, state.outbox.length, state.held[0]?.attribute, state.retryAt);
  const queue = (globalThis as unknown as { attrkit: AttrkitQueue }).attrkit;
  const pushed: PushResult = await queue.push(["do", "identify", ["user-2"]]);
  if (!pushed.ok && pushed.error.code === "sdk_unavailable") console.log(queue.inspect());
  client.close();
  console.log(personId, plan, got.attributes, cleared);

  // @ts-expect-error consent "pending" is an init option, not a command
  client.push(["do", "consent", ["pending"]]);
  // @ts-expect-error persistence is localStorage or memory
  await createClient({ publicKey: "pk_live_x", apiHost: "https://api.example.com", persistence: "sessionStorage" });
  // @ts-expect-error publicKey is required
  await createClient({ apiHost: "https://api.example.com" });
  // @ts-expect-error setAttribute takes one request object
  await client.analytics.setAttribute("u1", "plan", "Pro");
  // @ts-expect-error the user context needs an id
  await client.setAttribute("plan", "Pro", { name: "Sam" });
  // @ts-expect-error an object is not an attribute value
  await client.analytics.setAttributes({ distinctId: "u1", attributes: { plan: { nested: 1 } } });
  // @ts-expect-error not an event
  client.on("loaded", () => {});
  // @ts-expect-error the "error" listener gets an AttrkitError, not a string
  client.on("error", (e: string) => e);
  // @ts-expect-error an "error" listener pushed as a command gets an AttrkitError
  client.push(["on", "error", [(e: string) => e]]);
  // @ts-expect-error not a verb
  client.push(["call", "user:attributes", []]);
  // @ts-expect-error getAttributes needs a distinctId
  await client.analytics.getAttributes({});
  // @ts-expect-error inspect() may be null (closed client)
  client.inspect().outbox;
}
main();
