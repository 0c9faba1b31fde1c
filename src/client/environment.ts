/**
 * @module
 * What the client reads from its host: the browser's online flag and page
 * lifecycle, storage persistence. In Node (or a worker) the hooks are simply
 * absent, and the link counts as always up.
 */

interface PageHooks {
  online(up: boolean): void;
  hidden(hidden: boolean): void;
  pageHide(): void;
}

/** Subscribes to the page's lifecycle; returns the unsubscribe function. */
export function watchPage(hooks: PageHooks): () => void {
  if (typeof window === "undefined" || typeof window.addEventListener !== "function") return () => {};
  const online = () => hooks.online(true);
  const offline = () => hooks.online(false);
  const visibility = () => hooks.hidden(document.visibilityState === "hidden");
  const pageHide = () => hooks.pageHide();
  window.addEventListener("online", online);
  window.addEventListener("offline", offline);
  window.addEventListener("pagehide", pageHide);
  document.addEventListener("visibilitychange", visibility);
  return () => {
    window.removeEventListener("online", online);
    window.removeEventListener("offline", offline);
    window.removeEventListener("pagehide", pageHide);
    document.removeEventListener("visibilitychange", visibility);
  };
}

export function linkUp(): boolean {
  return typeof navigator === "undefined" || navigator.onLine !== false;
}

export function pageHidden(): boolean {
  return typeof document !== "undefined" && document.visibilityState === "hidden";
}

/**
 * Asks the browser not to evict this origin's storage under pressure (best
 * effort: the answer is reported, never assumed). Undefined where there is
 * no such API.
 */
export async function requestPersistence(): Promise<boolean | undefined> {
  try {
    if (typeof navigator === "undefined" || !navigator.storage?.persist) return undefined;
    if (await navigator.storage.persisted()) return true;
    return await navigator.storage.persist();
  } catch {
    return false;
  }
}

export function hasWebLocks(): boolean {
  return typeof navigator !== "undefined" && typeof navigator.locks?.request === "function";
}
