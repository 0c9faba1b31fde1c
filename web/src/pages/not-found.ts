/**
 * @module
 * Any hash route the dashboard does not know.
 */

import type { PageContext } from "../router.ts";
import { h } from "../ui/dom.ts";

export function notFoundPage({ root }: PageContext): void {
  root.append(h("h1", null, "Not found"), h("p", null, "There is no such page. ", h("a", { href: "#/" }, "See the topics.")));
}
