/**
 * @module
 * The header's status pill: is the bus answering (its version), does it
 * want a token, is this tab offline (for real, or through the demo's
 * switch). Health is public, so it says nothing about the token: the
 * monitor's last error does.
 */

import { onLinkChange, realLink, simulatedOffline } from "../demo/offline-switch.ts";
import type { TopicMonitor } from "../monitor.ts";
import { every } from "../poll.ts";
import type { Session } from "../session.ts";

export function busStatus(element: HTMLElement, session: Session, monitor: TopicMonitor, signal: AbortSignal): void {
  let version: string | undefined;
  let reachable = true;
  const render = () => {
    const code = monitor.error?.code;
    const [text, tone] = !realLink()
      ? ["Offline", "bad"]
      : simulatedOffline()
        ? ["Offline (simulated)", "warn"]
        : !reachable
          ? ["Bus unreachable", "bad"]
          : code === "UNAUTHORIZED" || code === "FORBIDDEN"
            ? ["Token needed", "warn"]
            : [`Bus ok${version ? ` · v${version}` : ""}`, "ok"];
    if (element.textContent !== text) element.textContent = text;
    element.dataset.tone = tone;
  };
  every(15_000, signal, async () => {
    try {
      version = (await session.client.admin.health(signal)).version;
      reachable = true;
    } catch {
      reachable = false;
    }
    render();
  });
  monitor.subscribe(render, signal);
  signal.addEventListener("abort", onLinkChange(render));
}
