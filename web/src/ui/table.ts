/**
 * @module
 * A data table with a caption and column headers, inside a region that
 * scrolls sideways on a narrow screen (focusable, so a keyboard can scroll
 * it too). Rows are replaced wholesale on each update.
 */

import { fill, h, type Child } from "./dom.ts";

interface Column {
  label: string;
  /** Right-aligned, tabular figures. */
  numeric?: boolean;
}

interface DataTable {
  element: HTMLElement;
  update(rows: Child[][], empty?: string): void;
}

export function dataTable(caption: string, columns: Column[]): DataTable {
  const body = h("tbody");
  const table = h(
    "table",
    null,
    h("caption", null, caption),
    h("thead", null, h("tr", null, ...columns.map((c) => h("th", { scope: "col", class: c.numeric ? "num" : undefined }, c.label)))),
    body,
  );
  const element = h("div", { class: "table-scroll", role: "region", "aria-label": caption, tabindex: 0 }, table);
  return {
    element,
    update(rows, empty = "Nothing yet.") {
      if (rows.length === 0) {
        fill(body, h("tr", null, h("td", { colspan: columns.length, class: "empty" }, empty)));
        return;
      }
      rows.forEach((cells, i) => patchRow(body, i, row(cells)));
      while (body.rows.length > rows.length) body.lastElementChild!.remove();
    },
  };

  function row(cells: Child[]): HTMLTableRowElement {
    return h("tr", null, ...cells.map((cell, i) => (i === 0 ? h("th", { scope: "row" }, cell) : h("td", { class: columns[i]?.numeric ? "num" : undefined }, cell))));
  }
}

/**
 * Puts `next` at `index`, changing only the cells whose text changed: a
 * refresh every few seconds must not take the keyboard focus off a link.
 */
function patchRow(body: HTMLTableSectionElement, index: number, next: HTMLTableRowElement): void {
  const current = body.rows[index];
  if (!current || current.cells.length !== next.cells.length || current.cells[0]!.textContent !== next.cells[0]!.textContent) {
    if (current) current.replaceWith(next);
    else body.append(next);
    return;
  }
  for (const [i, cell] of [...next.cells].entries()) {
    const old = current.cells[i]!;
    if (old.textContent !== cell.textContent) old.replaceChildren(...cell.childNodes);
  }
}
