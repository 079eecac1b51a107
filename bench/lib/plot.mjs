// bench/bench.svg: the main figures as horizontal bars, one panel per figure, one bar per SDK
// (medians from run.mjs). Hand-written SVG, no library. Lower is better in every panel. The
// workload panels span three orders of magnitude, so their bars are log10(1 + value).
const PANELS = [
  { title: "shipped, brotli (KB)", get: (r) => r.bytes.brotli / 1024 },
  { title: "navigation → ready, cold (ms)", get: (r) => r.cold.navToReady },
  { title: "script loaded → ready, cold (ms)", get: (r) => r.cold.scriptToReady },
  { title: "navigation → ready, warm (ms)", get: (r) => r.warm.navToReady },
  { title: "init main-thread (ms)", get: (r) => r.cold.initMainMs },
  { title: "init main-thread CPU, cold (ms)", get: (r) => r.cold.initCpuMs },
  { title: "init main-thread CPU, warm (ms)", get: (r) => r.warm.initCpuMs },
  { title: "JS heap at ready (MB)", get: (r) => r.cold.heap / 1048576 },
  { title: "1,000 distinct updates: main-thread (ms, log)", get: (r) => r.distinct?.mainMs, log: true },
  { title: "1,000 identical updates: main-thread (ms, log)", get: (r) => r.identical?.mainMs, log: true },
  { title: "1,000 distinct updates: wire (KB, log)", get: (r) => r.distinct && r.distinct.wireBytes / 1024, log: true },
  { title: "1,000 distinct updates: requests (log)", get: (r) => r.distinct?.requests, log: true },
];

const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;");
const fmt = (v) => (v >= 100 ? Math.round(v).toLocaleString("en-US") : v >= 10 ? v.toFixed(0) : v.toFixed(1));

export function plot(rows, meta) {
  const sdks = rows;
  const cols = 2;
  const barH = 14;
  const gap = 4;
  const labelW = 100;
  const plotW = 260;
  const panelW = labelW + plotW + 60;
  const panelH = 28 + sdks.length * (barH + gap);
  const rowsN = Math.ceil(PANELS.length / cols);
  const W = cols * panelW + 20;
  const H = 50 + rowsN * (panelH + 16);
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`);
  out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  out.push(`<text x="10" y="20" font-size="14" font-weight="bold">attrkit and peer SDKs, headless Chromium (medians of ${meta.reps}; lower is better)</text>`);
  out.push(`<text x="10" y="36" fill="#555">${esc(meta.date)} · ${meta.cpus} cores, load average ${esc(meta.loadavg)} · Chromium ${esc(meta.chromium)}</text>`);
  PANELS.forEach((p, i) => {
    const x0 = 10 + (i % cols) * panelW;
    const y0 = 50 + Math.floor(i / cols) * (panelH + 16);
    const vals = sdks.map((r) => {
      try {
        const v = p.get(r);
        return typeof v === "number" && Number.isFinite(v) ? v : null;
      } catch {
        return null;
      }
    });
    const max = Math.max(1e-9, ...vals.filter((v) => v !== null));
    out.push(`<text x="${x0}" y="${y0 + 12}" font-weight="bold">${esc(p.title)}</text>`);
    sdks.forEach((r, j) => {
      const y = y0 + 20 + j * (barH + gap);
      const v = vals[j];
      const ours = r.sdk.startsWith("attrkit");
      out.push(`<text x="${x0 + labelW - 4}" y="${y + barH - 3}" text-anchor="end"${ours ? ' font-weight="bold"' : ""}>${esc(r.sdk)}</text>`);
      if (v === null) {
        out.push(`<text x="${x0 + labelW + 2}" y="${y + barH - 3}" fill="#999">n/a</text>`);
        return;
      }
      const w = Math.max(1, (p.log ? Math.log10(1 + v) / Math.log10(1 + max) : v / max) * plotW);
      out.push(`<rect x="${x0 + labelW}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${ours ? "#d9480f" : r.sdk === "blank page" ? "#bbb" : "#4c6ef5"}"/>`);
      out.push(`<text x="${(x0 + labelW + w + 4).toFixed(1)}" y="${y + barH - 3}">${fmt(v)}</text>`);
    });
  });
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}
