// A tiny static file server on 127.0.0.1 (port 0) for built apps: what "upload the output folder
// to any host" means. Correct MIME types (application/wasm included); no caching headers; GET only.
import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer } from "node:http";
import path from "node:path";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".map": "application/json",
};

/** Serves `root`; "/" and folders answer their index.html (with `csp` as its
 * Content-Security-Policy when given). Resolves to {url, stop()}. */
export async function serveFolder(root, { csp } = {}) {
  const base = path.resolve(root);
  const server = createServer((req, res) => {
    const { pathname } = new URL(req.url, "http://x");
    let file = path.join(base, decodeURIComponent(pathname));
    if (!file.startsWith(base)) return res.writeHead(403).end();
    if (existsSync(file) && statSync(file).isDirectory()) file = path.join(file, "index.html");
    if (req.method !== "GET" || !existsSync(file)) return res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    const headers = { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream", "access-control-allow-origin": "*" };
    if (csp && file.endsWith(".html")) headers["content-security-policy"] = csp;
    res.writeHead(200, headers);
    createReadStream(file).pipe(res);
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    stop: () => new Promise((ok) => server.close(ok)),
  };
}
