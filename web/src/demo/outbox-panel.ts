/**
 * @module
 * The demo's view of the client: the offline switch, whether the link and
 * the bus are up, the outbox (pending, acknowledged, dropped, dead-lettered)
 * and the client's recent events. Numbers come from `client.stats()`, read
 * again on every client event and every few hundred milliseconds, so a
 * draining outbox can be watched going down.
 */

import type { Client, ClientEventType } from "../../../src/index.ts";
import { every } from "../poll.ts";
import { fill, h, pair } from "../ui/dom.ts";
import { describeError } from "../ui/form.ts";
import { formatBytes, formatCount, formatTime } from "../ui/format.ts";
import { onLinkChange, realLink, setSimulatedOffline, simulatedOffline } from "./offline-switch.ts";

const EVENTS: ClientEventType[] = ["online", "offline", "synced", "error", "dropped"];
const LOG_SIZE = 8;

interface OutboxPanel {
  element: HTMLElement;
  /** Adds a line to the event log (tracked events, failures). */
  log(message: string): void;
  refresh(): void;
}

export function outboxPanel(client: Client, signal: AbortSignal): OutboxPanel {
  const toggle = h("button", { type: "button", role: "switch", class: "switch", id: "offline-switch" }, h("span", { class: "switch-track", "aria-hidden": "true" }), "Simulate offline");
  const stats = h("dl", { class: "summary stats" });
  const events = h("ol", { class: "event-log", "aria-label": "Recent client events" });
  const syncToggle = () => toggle.setAttribute("aria-checked", String(simulatedOffline()));
  toggle.addEventListener("click", () => {
    setSimulatedOffline(!simulatedOffline());
    syncToggle();
    log(simulatedOffline() ? "Simulated offline: records stay in the outbox." : "Simulation off: the outbox drains.");
  });
  syncToggle();

  const log = (message: string) => {
    events.prepend(h("li", null, h("time", null, formatTime(Date.now())), " ", message));
    while (events.children.length > LOG_SIZE) events.lastElementChild?.remove();
  };
  let reading = false;
  const refresh = async () => {
    if (reading) return;
    reading = true;
    try {
      const s = await client.stats();
      fill(
        stats,
        pair("Browser link", realLink() ? (simulatedOffline() ? "online (simulating offline)" : "online") : "offline", { "data-metric": "link" }),
        pair("Client", s.online ? "online" : "offline", { "data-metric": "client-online" }),
        pair("Pending in outbox", formatCount(s.pending), { "data-metric": "pending" }),
        pair("Pending size", formatBytes(s.pendingBytes)),
        pair("Acknowledged", formatCount(s.acked), { "data-metric": "acked" }),
        pair("Dropped", formatCount(s.dropped), { "data-metric": "dropped" }),
        pair("Dead-lettered", formatCount(s.deadLettered), { "data-metric": "dead-lettered" }),
        pair("This tab drains the outbox", s.leader ? "yes" : "no (another tab does)"),
        pair("Storage persisted", s.persisted === undefined ? "not asked" : s.persisted ? "yes" : "no (may be evicted under pressure)"),
        pair("Page works offline", offlineShell(), { "data-metric": "offline-ready" }),
      );
    } catch (err) {
      log(`Could not read the outbox: ${describeError(err)}`);
    } finally {
      reading = false;
    }
  };

  for (const type of EVENTS) {
    const off = client.on(type, (event) => {
      if (event.type === "error") log(`error: ${describeError(event.error)} (${event.records.length} records dead-lettered)`);
      else if (event.type === "dropped") log(`dropped ${event.count} records (${event.reason})`);
      else log(event.type);
      void refresh();
    });
    signal.addEventListener("abort", off);
  }
  const offLink = onLinkChange(() => {
    syncToggle();
    void refresh();
  });
  signal.addEventListener("abort", offLink);
  every(400, signal, refresh);

  const element = h(
    "section",
    { class: "card", "aria-labelledby": "outbox-title" },
    h("h2", { id: "outbox-title" }, "Outbox"),
    toggle,
    h("p", { class: "hint" }, "The switch makes this tab look offline to the client (navigator.onLine and the online/offline events); the live tail keeps its real connection."),
    stats,
    h("h3", null, "Client events"),
    events,
  );
  return { element, log, refresh: () => void refresh() };
}

function offlineShell(): string {
  if (!("serviceWorker" in navigator)) return "no (no service worker support)";
  if (!import.meta.env.PROD) return "no (development server)";
  return navigator.serviceWorker.controller ? "ready" : "not yet (caching)";
}
