/**
 * @module
 * The dashboard's clients of the bus it is served from (location.origin):
 * one for admin calls, live tails and the produce form, and — made on first
 * use — one for the activity demo, with an outbox of its own so the demo's
 * counts are only the demo's. A pasted token is kept in sessionStorage (this
 * tab only) and replaces both clients.
 */

import { createClient, type Client } from "../../src/index.ts";

const TOKEN_KEY = "edgelog:dashboard-token";
/** Names the demo's IndexedDB outbox (and its Web Lock), apart from the dashboard's. */
const DEMO_OUTBOX = "edgelog-dashboard-demo";

export class Session {
  readonly url = location.origin;
  #token: string | undefined = readToken();
  #client: Client = this.#create();
  #demo: Client | undefined;
  readonly #listeners = new Set<() => void>();

  get client(): Client {
    return this.#client;
  }

  /** The demo's client (its outbox drains as long as the tab is open, whichever page shows). */
  get demo(): Client {
    this.#demo ??= createClient({ url: this.url, token: this.#token, name: DEMO_OUTBOX });
    return this.#demo;
  }

  get token(): string | undefined {
    return this.#token;
  }

  setToken(token: string | undefined): void {
    this.#token = token?.trim() || undefined;
    try {
      if (this.#token) sessionStorage.setItem(TOKEN_KEY, this.#token);
      else sessionStorage.removeItem(TOKEN_KEY);
    } catch {
      // Storage blocked: the token lasts as long as the page.
    }
    const old = [this.#client, this.#demo];
    this.#client = this.#create();
    this.#demo = undefined;
    for (const client of old) void client?.close();
    for (const listener of this.#listeners) listener();
  }

  /** Called after the token (and so the clients) changed. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #create(): Client {
    // The dashboard sends little; asking the browser to persist storage is the demo's business.
    return createClient({ url: this.url, token: this.#token, persist: false });
  }
}

function readToken(): string | undefined {
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}
