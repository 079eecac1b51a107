// DOM building for the demo and its console. Everything shown is built with createElement and
// textContent: values typed by a person or returned by the server are data, never markup (a
// "<img src=x onerror=...>" value must appear as those characters).

/**
 * h("li", {class: "row", dataset: {id: "1"}}, "text", child, ...) -> element.
 * Strings become text nodes; null/undefined/false children are skipped.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** Compact JSON for display (functions shown as ƒ, undefined kept visible). */
export function show(value) {
  if (value === undefined) return "undefined";
  if (typeof value === "function") return "ƒ";
  try {
    return JSON.stringify(value, (_k, v) => (typeof v === "function" ? "ƒ" : v === undefined ? "undefined" : v));
  } catch {
    return String(value);
  }
}

/** "12:03:04.123" */
export function clock(ms = Date.now()) {
  const d = new Date(ms);
  const pad = (n, w = 2) => String(n).padStart(w, "0");
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}
