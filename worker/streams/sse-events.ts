/**
 * @module
 * The protocol's SSE events. A `data` event carries one page of messages —
 * a JSON array in JSON mode, the text itself for text/* (one `data:` line
 * per line, so a payload can never end an event or forge one), base64 for
 * any other type (announced by `Stream-SSE-Data-Encoding: base64`) — and
 * every data event is followed by a `control` event with the position after
 * it, so each can be parsed on its own.
 */

import { toBase64 } from "../../src/protocol/codec.ts";
import { concatBytes, messageText } from "./content.ts";
import { formatOffset } from "./offsets.ts";
import type { Rendering } from "./page.ts";

const decoder = new TextDecoder();

export function dataEvent(rendering: Rendering, lines: readonly string[]): string {
  if (rendering === "records") return `event: data\ndata:[${lines.join(",")}]\n\n`;
  if (rendering === "json") return `event: data\ndata:[${lines.map(messageText).join(",")}]\n\n`;
  const bytes = concatBytes(lines);
  if (rendering === "binary") return `event: data\ndata:${toBase64(bytes)}\n\n`;
  let event = "event: data\n";
  // Every line terminator SSE knows (CRLF, CR, LF) starts a new data line.
  for (const line of decoder.decode(bytes).split(/\r\n|\r|\n/)) event += `data:${line.startsWith(" ") ? " " : ""}${line}\n`;
  return `${event}\n`;
}

interface ControlFields {
  next: number;
  cursor: string;
  upToDate: boolean;
  closed: boolean;
}

/** The position after a data event; a closed stream's last one has no cursor (nothing follows). */
export function controlEvent(f: ControlFields): string {
  const offset = JSON.stringify(formatOffset(f.next));
  const body = f.closed
    ? `{"streamNextOffset":${offset},"streamClosed":true}`
    : `{"streamNextOffset":${offset},"streamCursor":${JSON.stringify(f.cursor)}${f.upToDate ? ',"upToDate":true' : ""}}`;
  return `event: control\ndata:${body}\n\n`;
}
