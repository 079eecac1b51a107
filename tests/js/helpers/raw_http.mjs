// Raw TCP to a test server, for what fetch cannot send or time: header bytes fetch refuses (NUL,
// control bytes), requests sent a byte at a time, connections left idle.
import net from "node:net";

/** The server's port from its URL. */
export function portOf(server) {
  return Number(new URL(server.url).port);
}

/** Opens a connection; resolves once connected. */
export function connect(port) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port }, () => resolve(socket));
    socket.once("error", reject);
  });
}

/**
 * Sends `bytes` (a Buffer or latin1 string) and resolves with everything the server sent back by
 * the time it closed the connection (or `timeoutMs` passed: then `timedOut` is true).
 */
export async function exchange(port, bytes, { timeoutMs = 5000 } = {}) {
  const socket = await connect(port);
  return collect(socket, { timeoutMs, send: bytes });
}

/** Everything `socket` receives until it closes or `timeoutMs` passes. */
export function collect(socket, { timeoutMs = 5000, send } = {}) {
  return new Promise((resolve) => {
    const chunks = [];
    let done = false;
    const finish = (timedOut) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ text: Buffer.concat(chunks).toString("latin1"), timedOut });
    };
    const timer = setTimeout(() => finish(true), timeoutMs);
    socket.on("data", (c) => chunks.push(c));
    socket.on("close", () => finish(false));
    socket.on("error", () => finish(false));
    if (send !== undefined) socket.write(typeof send === "string" ? Buffer.from(send, "latin1") : send);
  });
}

/** The status code of the first response in `text`, or 0. */
export function statusOf(text) {
  const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
  return m ? Number(m[1]) : 0;
}
