/**
 * @module
 * A page of a stream as the face serves it, whichever log it came from: a
 * stream (stitched across its fork sources) or a topic partition.
 */

import type { BodyMode } from "./content.ts";

/** How a page's stored lines become the response: a stream's modes, or whole records (topic partitions). */
export type Rendering = BodyMode | "records";

export interface Page {
  contentType: string;
  rendering: Rendering;
  /** Stored lines, one record each. */
  lines: string[];
  /** Where the page starts (a sentinel resolved). */
  from: number;
  next: number;
  /** The stream's tail when read. */
  tail: number;
  closed: boolean;
}

/** Stored bytes a page carries at most (one record more when a single record is larger). */
export const PAGE_BYTES = 1024 * 1024;

export function upToDate(page: Page): boolean {
  return page.next >= page.tail;
}

/** A reader of one stream: one page from a position, waiting up to `waitMs` at the tail. */
export type PageReader = (from: number | "start" | "now", waitMs: number) => Promise<Page>;
