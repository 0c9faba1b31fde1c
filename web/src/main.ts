/**
 * @module
 * The dashboard's entry: the offline switch goes in before any client is
 * made, then the session (clients of this origin's bus), the topic monitor,
 * the header, the router, and the service worker that lets the page load
 * offline.
 */

import "./styles.css";
import { installOfflineSwitch } from "./demo/offline-switch.ts";
import { TopicMonitor } from "./monitor.ts";
import { demoPage } from "./pages/demo.ts";
import { groupPage } from "./pages/group.ts";
import { groupsPage } from "./pages/groups.ts";
import { notFoundPage } from "./pages/not-found.ts";
import { throughputPage } from "./pages/throughput.ts";
import { topicPage } from "./pages/topic.ts";
import { topicsPage } from "./pages/topics.ts";
import { startRouter, type App, type Route } from "./router.ts";
import { Session } from "./session.ts";
import { busStatus } from "./ui/bus-status.ts";
import { tokenDialog } from "./ui/token-dialog.ts";

const ROUTES: Route[] = [
  { pattern: /^\/(?:topics)?$/, nav: "topics", title: () => "Topics", render: topicsPage },
  { pattern: /^\/topics\/([^/]+)$/, nav: "topics", title: ([name]) => `Topic ${name}`, render: topicPage },
  { pattern: /^\/groups$/, nav: "groups", title: () => "Consumer groups", render: groupsPage },
  { pattern: /^\/groups\/([^/]+)$/, nav: "groups", title: ([name]) => `Group ${name}`, render: groupPage },
  { pattern: /^\/throughput$/, nav: "throughput", title: () => "Throughput", render: throughputPage },
  { pattern: /^\/demo$/, nav: "demo", title: () => "Activity demo", render: demoPage },
];
const NOT_FOUND: Route = { pattern: /$^/, title: () => "Not found", render: notFoundPage };

installOfflineSwitch();
const session = new Session();
const monitor = new TopicMonitor(session);
const announcer = document.getElementById("announcer")!;
const app: App = {
  session,
  monitor,
  announce(message) {
    // Cleared first so the same message twice is still read.
    announcer.textContent = "";
    setTimeout(() => (announcer.textContent = message), 50);
  },
};
const main = document.getElementById("main")!;
const running = new AbortController();

monitor.start(running.signal);
busStatus(document.getElementById("bus-status")!, session, monitor, running.signal);
tokenDialog(document.getElementById("token-button") as HTMLButtonElement, document.getElementById("token-dialog") as HTMLDialogElement, session, app.announce);
document.querySelector(".skip-link")!.addEventListener("click", (event) => {
  event.preventDefault();
  main.focus();
});
const router = startRouter(app, main, ROUTES, NOT_FOUND);
session.onChange(() => {
  void monitor.refresh();
  router.rerender();
});

if (import.meta.env.PROD && "serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js").catch(() => {
    // Without it the dashboard still works; only an offline reload does not.
  });
}
