// Own-property reads (DESIGN §6): what the page hands the SDK (options, call arguments) is read by
// own property only, so a polluted Object.prototype (before or after load) supplies nothing. A
// getter or Proxy trap that throws propagates: callers turn it into invalid_command.
const has = Function.prototype.call.bind(Object.prototype.hasOwnProperty); // the built-in, taken at load

/** `o[key]` when `key` is an own property of the object `o`, else undefined. */
export function own(o, key) {
  return o !== null && (typeof o === "object" || typeof o === "function") && has(o, key) ? o[key] : undefined;
}

/** Defines (never assigns) `obj[key] = value`, so a "__proto__" key stays an ordinary property. */
export function put(obj, key, value) {
  Object.defineProperty(obj, key, { __proto__: null, value, enumerable: true, writable: true, configurable: true });
}

/** JSON text of the SDK's own data (request bodies, stored state) without asking any toJSON: an
 * inherited Object.prototype.toJSON would otherwise replace every object JSON.stringify meets.
 * Strings, numbers and booleans go through JSON.stringify, which asks toJSON of objects only. */
export function stringify(v) {
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? "null" : stringify(x))).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const parts = [];
    for (const k of Object.keys(v)) if (v[k] !== undefined) parts.push(`${JSON.stringify(k)}:${stringify(v[k])}`);
    return `{${parts.join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}
