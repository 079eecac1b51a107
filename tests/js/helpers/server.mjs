// Starts a real attrkit-server process for tests: a free port (--port 0), a fresh temporary
// database (or the one given, to test restarts), the demo workspace seeded. Resolves once the
// server printed its ready line.
//
//   const server = await startServer();            // { url, publicKey, secretKey, db, ... }
//   const res = await api(server, "GET", "/api/v1/sdk/config", { key: server.publicKey });
//   await server.stop();                           // SIGTERM, waits for the exit
//
// The binary is $ATTRKIT_SERVER_BIN, else build/native/server/attrkit-server (what `npm test`
// builds). Every process started here is SIGKILLed if the test process exits first.
//
// $ATTRKIT_TEST_DB=postgres runs the same servers on PostgreSQL (helpers/postgres.mjs): each start
// without `db` gets a new database, and a `db` file path stands for one database per path, so the
// restart tests reopen "the same file". A postgres:// URL as `db` is used as it is (several nodes
// on one database: startServer({ db: url, seedDemo: false })).
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { createDatabase, databaseForPath, dropDatabase, usePostgres } from "./postgres.mjs";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

const running = new Set();
process.on("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

// The built SDK (node js/build.mjs): $ATTRKIT_SDK_DIR (absolute or from the repository root), else js/dist.
export const sdkDir = process.env.ATTRKIT_SDK_DIR
  ? path.resolve(repoRoot, process.env.ATTRKIT_SDK_DIR)
  : path.join(repoRoot, "js/dist");

export function serverBinary() {
  if (process.env.ATTRKIT_SERVER_BIN) return process.env.ATTRKIT_SERVER_BIN;
  return path.join(repoRoot, "build/native/server/attrkit-server");
}

/**
 * @param {object} [options]
 * @param {string} [options.db]         database file to use (kept); default: a new temp file,
 *                                      removed by stop()/kill9() unless options.keepDb
 * @param {boolean} [options.keepDb]
 * @param {number} [options.rateLimit]  --rate-limit (requests/s per key; 0 = off). Default 0:
 *                                      tests that are not about rate limits are never limited.
 * @param {boolean} [options.seedDemo]  default true
 * @param {string} [options.web]        --web folder (default: the repo's web/)
 * @param {string} [options.sdk]        --sdk folder (default: the repo's js/dist (the SDK build))
 * @param {string[]} [options.args]     extra arguments
 * @param {number} [options.timeoutMs]  how long to wait for the ready line (default 15000)
 */
export async function startServer(options = {}) {
  const bin = serverBinary();
  if (!existsSync(bin)) {
    throw new Error(`attrkit-server not built at ${bin} (run: bash scripts/build.sh native)`);
  }
  let tempDir = null;
  let tempDatabase = null;
  let db = options.db;
  if (db && /^postgres(ql)?:\/\//.test(db)) {
    // a database URL: used as given
  } else if (usePostgres) {
    if (db) db = databaseForPath(db);
    else db = tempDatabase = createDatabase();
  } else if (!db) {
    tempDir = mkdtempSync(path.join(tmpdir(), "attrkit-server-test-"));
    db = path.join(tempDir, "test.db");
  }
  const args = [
    "--port", "0",
    "--db", db,
    "--rate-limit", String(options.rateLimit ?? 0),
    "--web", options.web ?? path.join(repoRoot, "web"),
    "--sdk", options.sdk ?? sdkDir,
  ];
  if (options.seedDemo !== false) args.push("--seed-demo");
  args.push(...(options.args ?? []));

  const child = spawn(bin, args, { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  let stdout = "";
  let stderr = "";
  const exited = new Promise((resolve) => {
    child.on("exit", (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    });
  });

  const ready = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`attrkit-server not ready after ${options.timeoutMs ?? 15000} ms\n${stdout}${stderr}`));
    }, options.timeoutMs ?? 15000);
    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      const m = /^attrkit ready (\{.*\})$/m.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(JSON.parse(m[1]));
      }
    });
    // Keep draining stderr so a chatty server never blocks on a full pipe.
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`attrkit-server exited (${code ?? signal}) before ready\n${stdout}${stderr}`));
    });
  });

  const cleanup = () => {
    if (tempDir && !options.keepDb) rmSync(tempDir, { recursive: true, force: true });
    if (tempDatabase && !options.keepDb) dropDatabase(tempDatabase);
  };
  const end = async (signal) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    const result = await exited;
    cleanup();
    return result;
  };

  return {
    url: ready.url,
    publicKey: ready.publicKey,
    secretKey: ready.secretKey,
    db,
    pid: child.pid,
    /** Everything the server printed so far. */
    output: () => ({ stdout, stderr }),
    /** SIGTERM (a clean stop); resolves to {code, signal}. */
    stop: () => end("SIGTERM"),
    /** SIGKILL (a crash); resolves to {code, signal}. */
    kill9: () => end("SIGKILL"),
    /** Resolves when the process exits by itself. */
    exited,
  };
}

/**
 * One HTTP request with JSON in and out.
 * @returns {Promise<{status: number, headers: Headers, body: any, text: string}>}
 */
export async function api(server, method, urlPath, { key, body, headers = {}, rawBody } = {}) {
  const h = { ...headers };
  if (key) h.Authorization = `Bearer ${key}`;
  let payload;
  if (rawBody !== undefined) payload = rawBody;
  else if (body !== undefined) {
    payload = JSON.stringify(body);
    h["Content-Type"] = "application/json";
  }
  const res = await fetch(server.url + urlPath, { method, headers: h, body: payload });
  const text = await res.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}
