/**
 * @module
 * Fields read back out of stored records without parsing whole JSON objects.
 * The leader renders every stored line itself, as
 * `{"offset":N,"timestamp":T,<key member>,<value member>,"headers":{...}}`,
 * where the key and value members are the worker's rendering
 * (worker/produce/plan.ts): `"key":null`, `"key":"…"` or `"keyBase64":"…"`,
 * then `"value":…` or `"valueBase64":"…"`. So offset, timestamp, key and
 * tombstone sit at known places. A batch whose records share one timestamp
 * is stored with bare bodies (`<key member>,<value member>,"headers":{...}`,
 * one per line) and its timestamp beside them; reads make whole lines of
 * them with renderStamped.
 */

const OFFSET_AT = '{"offset":'.length;

/**
 * Whole stored lines, joined by `separator`, from the bare lines of a batch
 * at `base` whose records all carry `stamp`: bodies, or only value members
 * when `valuesOnly` (every key null, no headers). One join over an array of
 * lines: appending to one growing string builds a rope that V8 flattens
 * later, which measured 2–3× slower.
 */
export function renderStamped(bare: string, base: number, stamp: number, valuesOnly: boolean, separator: string): string {
  const lines = bare.split("\n");
  // stampedLine's layout, with the parts every line shares built once: this is the fetch path.
  const head = `,"timestamp":${stamp},${valuesOnly ? `${KEY_NULL},` : ""}`;
  const tail = valuesOnly ? `,${NO_HEADERS}}` : "}";
  for (let i = 0; i < lines.length; i++) lines[i] = `{"offset":${base + i}${head}${lines[i]}${tail}`;
  return lines.join(separator);
}

/** One record's whole line from its bare line (a body, or a value member when `valuesOnly`). */
export function stampedLine(bare: string, offset: number, stamp: number, valuesOnly: boolean): string {
  return valuesOnly
    ? `{"offset":${offset},"timestamp":${stamp},${KEY_NULL},${bare},${NO_HEADERS}}`
    : `{"offset":${offset},"timestamp":${stamp},${bare}}`;
}

/** At most how many bytes whole lines add to `count` bare lines from `base` on. */
export function stampedOverhead(count: number, base: number, stamp: number, valuesOnly: boolean): number {
  const members = '{"offset":,"timestamp":,}'.length + (valuesOnly ? KEY_NULL.length + NO_HEADERS.length + 2 : 0);
  return count * (members + String(base + count - 1).length + String(stamp).length);
}

/**
 * The value members of bodies that all have a null key and no headers (the
 * worker renders a body as key, value, headers: worker/produce/plan.ts), or
 * null when one has either.
 */
export function valueMembers(bodies: readonly string[]): string[] | null {
  const head = KEY_NULL.length + 1;
  const tail = NO_HEADERS.length + 1;
  const out = new Array<string>(bodies.length);
  for (let i = 0; i < bodies.length; i++) {
    const body = bodies[i]!;
    if (!body.startsWith(KEY_NULL_MEMBER) || !body.endsWith(NO_HEADERS_MEMBER)) return null;
    out[i] = body.slice(head, body.length - tail);
  }
  return out;
}

const NO_HEADERS = '"headers":{}';
const NO_HEADERS_MEMBER = `,${NO_HEADERS}`;
const KEY_NULL_MEMBER = '"key":null,';

const TIMESTAMP_MEMBER = '"timestamp":';

/** The offset a stored line carries. */
export function lineOffset(line: string): number {
  return Number.parseInt(line.slice(OFFSET_AT, line.indexOf(",", OFFSET_AT)), 10);
}

/** The timestamp a stored line carries. */
export function lineTimestamp(line: string): number {
  const at = line.indexOf(TIMESTAMP_MEMBER, OFFSET_AT) + TIMESTAMP_MEMBER.length;
  return Number.parseInt(line.slice(at, line.indexOf(",", at)), 10);
}

/** Where the key member of a stored line starts. */
export function lineBodyStart(line: string): number {
  const at = line.indexOf(TIMESTAMP_MEMBER, OFFSET_AT) + TIMESTAMP_MEMBER.length;
  return line.indexOf(",", at) + 1;
}

interface RecordKey {
  /**
   * The key's identity for compaction, or null for a keyless record. Keys
   * are bytes: a text key and a base64 key with the same bytes are one key,
   * so base64 keys that are valid UTF-8 take the text form. "s" + text or
   * "b" + base64.
   */
  key: string | null;
  /** A null value: the key is deleted once compaction has run. */
  tombstone: boolean;
}

const KEY_NULL = '"key":null';
const KEY_TEXT = '"key":"';
const KEY_BASE64 = '"keyBase64":"';
const TOMBSTONE = ',"value":null,';
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The key and tombstone flag of the record body that starts at `at` in `text`. */
export function recordKey(text: string, at = 0): RecordKey {
  let key: string | null = null;
  let end: number;
  if (text.startsWith(KEY_NULL, at)) {
    end = at + KEY_NULL.length;
  } else if (text.startsWith(KEY_TEXT, at)) {
    const open = at + KEY_TEXT.length - 1;
    end = stringEnd(text, open) + 1;
    const raw = text.slice(open + 1, end - 1);
    key = `s${raw.includes("\\") ? (JSON.parse(text.slice(open, end)) as string) : raw}`;
  } else if (text.startsWith(KEY_BASE64, at)) {
    const open = at + KEY_BASE64.length;
    end = text.indexOf('"', open) + 1;
    key = base64Identity(text.slice(open, end - 1));
  } else {
    throw new Error(`not a record body: ${text.slice(at, at + 40)}`);
  }
  return { key, tombstone: text.startsWith(TOMBSTONE, end) };
}

/** The index of the quote closing the JSON string that opens at `open`. */
function stringEnd(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x22) return i;
  }
  throw new Error("unterminated JSON string in a stored record");
}

function base64Identity(b64: string): string {
  const binary = atob(b64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  try {
    return `s${strictUtf8.decode(bytes)}`;
  } catch {
    return `b${b64}`;
  }
}
