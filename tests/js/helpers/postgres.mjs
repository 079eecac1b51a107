// PostgreSQL for the tests: one throwaway cluster per test run (scripts/pg_cluster.sh) and one
// fresh database per server start.
//
// $ATTRKIT_TEST_PG_URL (postgres://postgres@127.0.0.1:<port>, what scripts/test.sh exports) names
// a running cluster; without it, the first call here starts one for this process and stops it
// when the process exits. $ATTRKIT_TEST_DB=postgres makes startServer() (helpers/server.mjs) use
// PostgreSQL instead of a SQLite file.
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

export const usePostgres = process.env.ATTRKIT_TEST_DB === "postgres";

let clusterUrl = null;

/** The cluster's base URL (no database), starting a cluster for this process if none runs. */
export function pgCluster() {
  clusterUrl ??= process.env.ATTRKIT_TEST_PG_URL || null;
  if (clusterUrl) return clusterUrl;
  const r = spawnSync("bash", [path.join(repoRoot, "scripts/pg_cluster.sh"), "start"], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`cannot start a PostgreSQL cluster:\n${r.stderr}`);
  const [url, dir] = r.stdout.trim().split(" ");
  process.on("exit", () => {
    spawnSync("bash", [path.join(repoRoot, "scripts/pg_cluster.sh"), "stop", dir]);
  });
  clusterUrl = url;
  return url;
}

/** Runs one SQL command with psql (on the cluster's `postgres` database unless `url` is given). */
export function psql(sql, url = `${pgCluster()}/postgres`) {
  const r = spawnSync("psql", [url, "-qAtX", "-v", "ON_ERROR_STOP=1", "-c", sql], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`psql ${sql}: ${r.stderr}`);
  return r.stdout.trim();
}

/** Creates a new, empty database and returns its URL. */
export function createDatabase(name = `attrkit_${process.pid}_${randomBytes(6).toString("hex")}`) {
  psql(`CREATE DATABASE "${name}"`);
  return `${pgCluster()}/${name}`;
}

/**
 * The database standing for a SQLite file path in PostgreSQL runs (tests that restart a server
 * on "the same file"): one database per path, created on first use.
 */
export function databaseForPath(file) {
  const name = `attrkit_f_${createHash("sha256").update(path.resolve(file)).digest("hex").slice(0, 20)}`;
  if (psql(`SELECT 1 FROM pg_database WHERE datname = '${name}'`) !== "1") psql(`CREATE DATABASE "${name}"`);
  return `${pgCluster()}/${name}`;
}

/** Drops a database made here (the servers on it must have stopped). */
export function dropDatabase(url) {
  const name = new URL(url).pathname.slice(1);
  psql(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}
