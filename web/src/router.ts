/**
 * @module
 * A hash router: `#/topics/orders?x=1` picks the first route whose pattern
 * matches the path, ends the previous page (its AbortSignal fires: polls,
 * tails and listeners stop) and renders the next into `<main>`. Hashes that
 * do not start with `#/` (in-page anchors) are left to the browser.
 */

import type { TopicMonitor } from "./monitor.ts";
import type { Session } from "./session.ts";

export interface App {
  session: Session;
  monitor: TopicMonitor;
  /** Says `message` to screen readers (polite). */
  announce(message: string): void;
}

export interface PageContext {
  app: App;
  root: HTMLElement;
  /** The pattern's captures, URL-decoded. */
  params: string[];
  query: URLSearchParams;
  /** Fires when the page is left (or re-rendered). */
  signal: AbortSignal;
}

export interface Route {
  pattern: RegExp;
  /** The `data-nav` of the navigation link to mark current. */
  nav?: string;
  title: (params: string[]) => string;
  render: (ctx: PageContext) => void;
}

export function startRouter(app: App, root: HTMLElement, routes: Route[], notFound: Route): { rerender(): void } {
  let current: AbortController | undefined;
  let first = true;
  const render = () => {
    const hash = location.hash || "#/";
    if (!hash.startsWith("#/")) return;
    const [path = "/", search = ""] = hash.slice(1).split("?", 2);
    let params: string[] = [];
    const route =
      routes.find((r) => {
        const m = r.pattern.exec(path);
        if (m) params = m.slice(1).map((p) => decodeURIComponent(p));
        return m !== null;
      }) ?? notFound;
    current?.abort();
    current = new AbortController();
    root.replaceChildren();
    document.title = `${route.title(params)} · edgelog`;
    for (const link of document.querySelectorAll<HTMLAnchorElement>("[data-nav]")) {
      if (link.dataset.nav === route.nav) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
    route.render({ app, root, params, query: new URLSearchParams(search), signal: current.signal });
    // After a navigation, start reading at the new page (not on the first load: the page starts there anyway).
    if (!first) root.focus();
    first = false;
  };
  window.addEventListener("hashchange", render);
  render();
  return { rerender: render };
}
