/**
 * @module
 * The activity-tracking demo: a pretend app whose clicks and page views go
 * through `client.tracker()` into an IndexedDB outbox, the outbox's numbers
 * and events as they change, an offline switch, and a live tail of the
 * demo topic where the same events arrive once the client is online.
 * `#/demo?topic=name` uses another topic; the page creates it if missing.
 */

import type { Client, JsonValue } from "../../../src/index.ts";
import { outboxPanel } from "../demo/outbox-panel.ts";
import { shop } from "../demo/shop.ts";
import type { PageContext } from "../router.ts";
import { h } from "../ui/dom.ts";
import { describeError } from "../ui/form.ts";
import { liveTail } from "../ui/tail.ts";

const DEFAULT_TOPIC = "demo-activity";
const DEMO_TOPIC_CONFIG = { partitions: 1, retentionMs: 86_400_000 };
/** When this tab first showed the demo: the tail starts there, so events queued before a reload still show. */
const SINCE_KEY = "edgelog:demo-since";

export function demoPage({ app, root, query, signal }: PageContext): void {
  const topic = query.get("topic") || DEFAULT_TOPIC;
  const since = demoSince();
  const client = app.session.demo;
  const panel = outboxPanel(client, signal);
  const ready = ensureTopic(client, topic, signal);
  const tracker = client.tracker({ topic, context: () => ({ eventId: crypto.randomUUID(), app: "pocket-shop" }) });
  const track = (event: string, properties: Record<string, JsonValue>) => {
    ready
      .then(() => tracker(event, properties))
      .then(
        ({ ids }) => panel.log(`tracked ${event}${properties.action ? ` ${String(properties.action)}` : ""} (outbox id ${ids[0]})`),
        (err: unknown) => panel.log(`not tracked: ${describeError(err)}`),
      )
      .finally(() => panel.refresh());
  };

  const tailSection = h(
    "section",
    { class: "card", "aria-labelledby": "demo-tail-title" },
    h("h2", { id: "demo-tail-title" }, "Live tail"),
    h("p", { class: "status", role: "status" }, `Connecting to ${topic}…`),
  );
  root.append(
    h("h1", null, "Activity demo"),
    h(
      "p",
      { class: "lede" },
      "Every click and view in the app below calls ",
      h("code", null, "track()"),
      `. It resolves once the event is stored in this browser's outbox (IndexedDB); the client sends it to the topic ${topic} in the background, exactly once, even across going offline and reloading the page.`,
    ),
    h("div", { class: "columns" }, shop(track), panel.element),
    tailSection,
  );

  ready
    .then(() => startTail(tailSection))
    .catch((err: unknown) => {
      const status = tailSection.querySelector(".status");
      if (status && !signal.aborted) status.textContent = `The demo topic is not available: ${describeError(err)}`;
    });

  async function startTail(section: HTMLElement): Promise<void> {
    const partitions = await untilAnswered(() => client.admin.describeTopic(topic, signal), signal);
    if (signal.aborted) return;
    section.querySelector(".status")?.remove();
    section.append(
      liveTail({
        client: app.session.client,
        topic,
        partitions: partitions.partitions.map((p) => p.partition),
        from: () => ({ timestamp: since }),
        caption: `Events in ${topic} since this tab opened the demo, newest first`,
        describe: (r) => {
          const v = r.value as { event?: string; properties?: unknown } | undefined;
          return v?.event ? `${v.event} ${JSON.stringify(v.properties ?? {})}` : JSON.stringify(r.value ?? null);
        },
        signal,
      }),
    );
  }
}

/**
 * Resolves once the topic exists. While the bus cannot be reached, a topic
 * this browser saw before counts as existing: the outbox keeps the events
 * until the bus is back, and records for a topic that does not exist would
 * be dead-lettered.
 */
async function ensureTopic(client: Client, topic: string, signal: AbortSignal): Promise<void> {
  const known = `edgelog:demo-topic:${topic}`;
  await untilAnswered(async () => {
    try {
      await client.admin.createTopic(topic, DEMO_TOPIC_CONFIG);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code !== "TOPIC_ALREADY_EXISTS" && !(storage(known) && (err as { retriable?: boolean }).retriable)) throw err;
    }
    storage(known, "1");
  }, signal);
}

/** Retries `call` while it fails with a retriable error, at once when the browser comes back online. */
async function untilAnswered<T>(call: () => Promise<T>, signal: AbortSignal): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (!(err as { retriable?: boolean }).retriable || signal.aborted) throw err;
    }
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        window.removeEventListener("online", done);
        signal.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, Math.min(10_000, 500 * 2 ** attempt));
      window.addEventListener("online", done);
      signal.addEventListener("abort", done);
    });
  }
}

function demoSince(): number {
  const known = Number(storage(SINCE_KEY, undefined, sessionStorage));
  if (known > 0) return known;
  const now = Date.now();
  storage(SINCE_KEY, String(now), sessionStorage);
  return now;
}

/** Reads (or writes) web storage, which a browser may refuse. */
function storage(key: string, value?: string, area: Storage = localStorage): string | null {
  try {
    if (value !== undefined) area.setItem(key, value);
    return area.getItem(key);
  } catch {
    return null;
  }
}
