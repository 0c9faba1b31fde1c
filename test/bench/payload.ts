/**
 * @module
 * The records every scenario sends: keyless, each value a JSON string of
 * exactly RECORD_BYTES bytes. The raw-insert floor sends these same bytes.
 */

export const RECORD_BYTES = 100;

/** A JSON string literal, quotes included, of RECORD_BYTES bytes (ASCII). */
const VALUE = JSON.stringify("page_view /articles/edge-logs user=u-4821 session=s-93f1 ref=home ".padEnd(RECORD_BYTES - 2, "x"));

const bodies = new Map<number, string>();

/** The produce request body for `count` records, built once per size. */
export function produceBody(count: number): string {
  let body = bodies.get(count);
  if (body === undefined) {
    body = `{"records":[${Array.from({ length: count }, () => `{"value":${VALUE}}`).join(",")}]}`;
    bodies.set(count, body);
  }
  return body;
}

export const JSON_HEADERS = { "content-type": "application/json" };
