/**
 * @module
 * The demo's "simulate offline" switch. The client library listens to the
 * browser, not to the app: it reads `navigator.onLine` when it starts and
 * follows the window's `online` and `offline` events. So the switch plays
 * the browser's part for this tab: while it is on, `navigator.onLine` reads
 * false, the window gets an `offline` event, and a real `online` event is
 * kept from the page's listeners. The real network stays up, so the
 * dashboard's own requests and the live tail keep working and show the
 * records arriving the moment the switch is turned off.
 *
 * Installed before any client exists, and remembered for the tab
 * (sessionStorage), so a reload comes back still offline.
 */

const KEY = "edgelog:demo-simulated-offline";
const realOnLine = Object.getOwnPropertyDescriptor(Navigator.prototype, "onLine")?.get;
let simulated = false;
const listeners = new Set<() => void>();

export function installOfflineSwitch(): void {
  try {
    simulated = sessionStorage.getItem(KEY) === "1";
  } catch {
    simulated = false;
  }
  if (!realOnLine) return;
  Object.defineProperty(navigator, "onLine", { configurable: true, get: () => !simulated && realLink() });
  // Capturing on window runs before the page's own listeners (the client's among them).
  window.addEventListener("online", (event) => {
    if (simulated) event.stopImmediatePropagation();
  }, { capture: true });
  for (const type of ["online", "offline"]) window.addEventListener(type, () => notify());
}

export function simulatedOffline(): boolean {
  return simulated;
}

/** What the browser itself says about the link. */
export function realLink(): boolean {
  return realOnLine ? Boolean(realOnLine.call(navigator)) : true;
}

export function setSimulatedOffline(on: boolean): void {
  if (on === simulated) return;
  simulated = on;
  try {
    if (on) sessionStorage.setItem(KEY, "1");
    else sessionStorage.removeItem(KEY);
  } catch {
    // Storage blocked: the switch lasts as long as the page.
  }
  if (on) window.dispatchEvent(new Event("offline"));
  else if (realLink()) window.dispatchEvent(new Event("online"));
  else notify();
}

/** Called when the simulated or the real state changes. */
export function onLinkChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function notify(): void {
  for (const listener of listeners) listener();
}
