// AttrkitError: the one error type the SDK hands out (Promise rejections, push results, "error"
// listeners). toError() is the single place a core error object ({code, status, message,
// attribute?}) becomes one; nothing else constructs errors from core data.

export class AttrkitError extends Error {
  constructor(code, status, message, attribute) {
    super(message || code);
    this.name = "AttrkitError";
    this.code = code;
    this.status = status || 0; // 0: a code the server never sends (secret_key_in_browser, ...)
    if (attribute !== undefined) this.attribute = attribute;
  }
}

/** A core error object (or an HTTP error body's `error`) -> AttrkitError; `extra` adds
 * the event fields (distinctId, writeIds) an "error" listener may want. */
export function toError(e, extra) {
  if (e instanceof AttrkitError) return e;
  const o = e && typeof e === "object" ? e : {};
  const err = new AttrkitError(
    typeof o.code === "string" ? o.code : "server_error",
    typeof o.status === "number" ? o.status : 0,
    typeof o.message === "string" ? o.message : "",
    typeof o.attribute === "string" ? o.attribute : undefined,
  );
  if (extra) {
    if (typeof extra.distinctId === "string") err.distinctId = extra.distinctId;
    if (Array.isArray(extra.writeIds)) err.writeIds = extra.writeIds;
  }
  return err;
}

/** For what the core never saw: arguments a getter or Proxy refused to give up, a closed client. */
export const invalidCommand = (message) => new AttrkitError("invalid_command", 0, message);
