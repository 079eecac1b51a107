// The browser-test stack (stack.mjs) with relays (relay.mjs) in front of its server, started and
// stopped as one: for the test files whose SDK talks to the server through a relay.
//
//   let stack;
//   let relay;
//   before(async () => ({ stack, relay } = await startRelayedStack()));
//   after(() => stack?.stop());                  // stops the relays, then the stack
//
// `relays: n` starts n relays, each with its own rule and log ({ relays: [a, b] }).
import { startRelay } from "./relay.mjs";
import { startStack } from "./stack.mjs";

export async function startRelayedStack({ relays: count = 1, ...stackOptions } = {}) {
  const stack = await startStack(stackOptions);
  const relays = [];
  const stopRelays = async () => {
    for (const r of relays) await r.stop();
  };
  try {
    for (let i = 0; i < count; i++) relays.push(await startRelay(stack.server.url));
  } catch (err) {
    await stopRelays();
    await stack.stop();
    throw err;
  }
  const stopStack = stack.stop;
  stack.stop = async () => {
    await stopRelays();
    await stopStack();
  };
  return { stack, relay: relays[0], relays };
}
