// A customer's web site for the browser tests: a tiny HTTP server on ANOTHER ORIGIN than the API
// (the API listens on 127.0.0.1:<port>, this one is reached as http://localhost:<its port>), so
// every SDK request is a real cross-origin request with its CORS preflight, as on a customer's site.
//
//   const site = await startPageServer();
//   const url = site.page({ head: "<script>...</script>", body: "<p>...</p>", csp: "..." });
//   await page.goto(url);
//   await site.stop();
//
// Pages are registered by the test and served from memory; nothing else is served except an empty
// favicon (so Chromium logs no 404 console error of its own).
import http from "node:http";

export async function startPageServer() {
  const pages = new Map();
  let next = 0;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    if (url.pathname === "/favicon.ico") {
      res.writeHead(204).end();
      return;
    }
    const entry = pages.get(url.pathname);
    if (!entry || req.method !== "GET") {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("not found");
      return;
    }
    const headers = { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" };
    if (entry.csp) headers["Content-Security-Policy"] = entry.csp;
    res.writeHead(200, headers).end(entry.html);
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address();
  const origin = `http://localhost:${port}`;
  return {
    origin,
    /**
     * Registers one page and returns its URL.
     * @param {{head?: string, body?: string, csp?: string, name?: string}} spec
     */
    page({ head = "", body = "", csp, name } = {}) {
      const path = `/${name ?? "page"}-${++next}.html`;
      const html =
        `<!doctype html>\n<html lang="en"><head><meta charset="utf-8">` +
        `<link rel="icon" href="data:,"><title>customer page</title>\n${head}\n</head>\n` +
        `<body>\n${body}\n</body></html>\n`;
      pages.set(path, { html, csp });
      return origin + path;
    },
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
