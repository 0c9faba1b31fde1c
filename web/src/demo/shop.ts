/**
 * @module
 * "Pocket Shop", the pretend app of the activity demo: a catalog and a
 * cart. Every button press and every view shown is tracked, the way an app
 * would report clicks and page views.
 */

import type { JsonValue } from "../../../src/index.ts";
import { fill, h } from "../ui/dom.ts";

type TrackFn = (event: string, properties: Record<string, JsonValue>) => void;

const PRODUCTS = [
  { id: "mug", name: "Mug", price: 12 },
  { id: "tshirt", name: "T-shirt", price: 25 },
  { id: "stickers", name: "Stickers", price: 4 },
];

type View = "catalog" | "cart";

export function shop(track: TrackFn): HTMLElement {
  const cart = new Map<string, number>();
  const view = h("div", { class: "shop-view" });
  const tabs = new Map<View, HTMLButtonElement>();
  const count = h("span", { class: "badge", "aria-label": "items" }, "0");
  let current: View = "catalog";

  const show = (next: View) => {
    current = next;
    for (const [name, button] of tabs) {
      if (name === next) button.setAttribute("aria-current", "page");
      else button.removeAttribute("aria-current");
    }
    fill(view, next === "catalog" ? catalog() : cartView());
    track("page_view", { page: next });
  };
  const tab = (name: View, ...label: (string | HTMLElement)[]) => {
    const button = h("button", { type: "button", class: "tab", onclick: () => show(name) }, ...label);
    tabs.set(name, button);
    return h("li", null, button);
  };
  const updateCount = () => (count.textContent = String([...cart.values()].reduce((a, b) => a + b, 0)));

  const catalog = () =>
    h(
      "ul",
      { class: "products" },
      ...PRODUCTS.map((p) =>
        h(
          "li",
          { class: "product" },
          h("h3", null, p.name),
          h("p", null, `€${p.price}`),
          h(
            "button",
            {
              type: "button",
              onclick: () => {
                cart.set(p.id, (cart.get(p.id) ?? 0) + 1);
                updateCount();
                track("click", { action: "add_to_cart", product: p.id });
              },
            },
            `Add ${p.name.toLowerCase()} to cart`,
          ),
          h("button", { type: "button", class: "secondary", onclick: () => track("click", { action: "like", product: p.id }) }, `Like ${p.name.toLowerCase()}`),
        ),
      ),
    );
  const cartView = () => {
    const items = [...cart].filter(([, n]) => n > 0);
    if (items.length === 0) return h("p", null, "Your cart is empty.");
    return h(
      "div",
      null,
      h("ul", null, ...items.map(([id, n]) => h("li", null, `${n} × ${PRODUCTS.find((p) => p.id === id)!.name}`))),
      h(
        "button",
        {
          type: "button",
          onclick: () => {
            track("click", { action: "checkout", items: items.reduce((a, [, n]) => a + n, 0) });
            cart.clear();
            updateCount();
            show("cart");
          },
        },
        "Check out",
      ),
    );
  };

  const element = h(
    "section",
    { class: "card shop", "aria-labelledby": "shop-title" },
    h("h2", { id: "shop-title" }, "Pocket Shop (a pretend app)"),
    h("nav", { "aria-label": "Pocket Shop" }, h("ul", { class: "tabs" }, tab("catalog", "Catalog"), tab("cart", "Cart ", count))),
    view,
  );
  show(current);
  return element;
}
