// The page-lifecycle listeners (DESIGN §5; docs/sdk.md "Persistence"). No unload handler (it
// would cost the page its back/forward cache): pagehide covers leaving, visibilitychange covers
// a tab put in the background (often the last event a mobile page gets).

/**
 * Calls `hide(closing)` when the page is hidden (closing: it goes away for good, not into the
 * back/forward cache) and `storage(key, newValue)` when another tab changes localStorage.
 * Returns the function that removes the listeners; where there is no page, nothing is added.
 */
export function watchPage({ hide, storage }) {
  const doc = globalThis.document;
  if (!doc || typeof globalThis.addEventListener !== "function") return () => {};
  const onHide = (e) => {
    if (e.type === "pagehide") hide(!e.persisted);
    else if (doc.visibilityState === "hidden") hide(false);
  };
  const onStorage = (e) => storage(e.key, e.newValue);
  globalThis.addEventListener("pagehide", onHide);
  doc.addEventListener("visibilitychange", onHide);
  // The storage listener waits for the next task: adding one costs Chromium a synchronous round
  // trip to the browser process (1 ms typical, up to 6 ms measured), which would sit between the
  // script and `ready`. What it could miss meanwhile is only sooner: a closed tab's writes are
  // otherwise taken by the next scan (the next storage event, or the next page load).
  const later = setTimeout(() => globalThis.addEventListener("storage", onStorage), 0);
  return () => {
    clearTimeout(later);
    globalThis.removeEventListener("pagehide", onHide);
    globalThis.removeEventListener("storage", onStorage);
    doc.removeEventListener("visibilitychange", onHide);
  };
}
