/**
 * @module
 * A produce request's records: the fast reader (scan.ts) when it can vouch
 * for the body, the schema otherwise — which accepts what the reader left
 * to it, or refuses with the schema's own message.
 */

import type { Context } from "hono";
import { ApiError } from "../http-error.ts";
import { ProduceBody } from "../schemas/records.ts";
import { validate } from "../validation.ts";
import { scanProduceBody, type ScannedRecord } from "./scan.ts";

export async function readProduceBody(c: Context): Promise<ScannedRecord[]> {
  const text = await c.req.text();
  let scanned: ScannedRecord[] | undefined;
  try {
    scanned = scanProduceBody(text);
  } catch {
    // A body too deep or too odd for the reader's regexes: the schema decides.
    scanned = undefined;
  }
  if (scanned) return scanned;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ApiError("INVALID_REQUEST", "Malformed JSON in request body");
  }
  return validate(ProduceBody, parsed, "json", c).records.map(fromSchema);
}

/** A schema-checked record in the reader's shape: the value as JSON text. */
function fromSchema(r: ReturnType<typeof ProduceBody.parse>["records"][number]): ScannedRecord {
  const { value, ...rest } = r;
  return value === undefined ? rest : { ...rest, valueJson: JSON.stringify(value) };
}
