/**
 * @module
 * Building DOM without a framework: `h("button", { type: "button", onclick }, "Save")`.
 * Text always goes in as text nodes, never as HTML, so record keys and
 * values from the bus cannot inject markup.
 */

type Listener = (event: never) => void;
type AttrValue = string | number | boolean | null | undefined | Listener;
type Attrs = Record<string, AttrValue>;
export type Child = Node | string | number | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === "function") el.addEventListener(name.slice(2), value as EventListener);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
  }
}

/** Replaces an element's content. */
export function fill(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

let ids = 0;

/** A document-unique id for label/field pairs. */
export function uid(prefix: string): string {
  return `${prefix}-${++ids}`;
}

/** A term and its detail, grouped for a `<dl>` laid out as a grid. */
export function pair(term: string, detail: Child, detailAttrs?: Attrs): HTMLElement {
  return h("div", null, h("dt", null, term), h("dd", detailAttrs ?? null, detail));
}
