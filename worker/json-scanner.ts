/**
 * @module
 * A JSON scanner that checks grammar without building values, for the
 * paths where values only pass through the bus (topic produce, Durable
 * Streams JSON appends): each value stays the JSON text it arrived as, so
 * nothing is lost to a parse and stringify round trip (`-0`, `1e3`,
 * integers beyond 2^53).
 *
 * Callers answer "let JSON.parse decide" when the scanner fails: it only
 * has to be right when it says yes.
 */

// Sticky patterns, matched where the scanner stands. JSON's grammar (RFC 8259).
const WHITESPACE = /[ \t\n\r]*/y;
const LINE_BREAKS = /[\n\r]/g;
// Most strings have no escape: this simpler pattern runs about twice as fast
// as STRING on them, and STRING is tried only where it fails.
const PLAIN_STRING = /"[^"\\\u0000-\u001f]*"/y;
// Unrolled ("normal* (special normal*)*"): linear even when it fails.
const STRING = /"[^"\\\u0000-\u001f]*(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\u0000-\u001f]*)*"/y;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

/** Deeper nesting goes to JSON.parse, which knows its own limits. */
const MAX_DEPTH = 64;

export class JsonScanner {
  readonly text: string;
  pos = 0;

  constructor(text: string) {
    this.text = text;
  }

  skipWhitespace(): void {
    const c = this.text.charCodeAt(this.pos);
    // Most bodies have no whitespace between tokens: skip the regex then.
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
      WHITESPACE.lastIndex = this.pos;
      WHITESPACE.test(this.text);
      this.pos = WHITESPACE.lastIndex;
    }
  }

  /** Consumes `char` (after whitespace) or fails. */
  expect(char: number): boolean {
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) !== char) return false;
    this.pos++;
    return true;
  }

  /** Consumes `char` if it is next (after whitespace). */
  accept(char: number): boolean {
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) !== char) return false;
    this.pos++;
    return true;
  }

  /** True when only whitespace is left. */
  atEnd(): boolean {
    this.skipWhitespace();
    return this.pos === this.text.length;
  }

  /** The raw text of the JSON string at the position, quotes included; undefined if none. */
  rawString(): string | undefined {
    this.skipWhitespace();
    const start = this.pos;
    PLAIN_STRING.lastIndex = start;
    if (PLAIN_STRING.test(this.text)) {
      this.pos = PLAIN_STRING.lastIndex;
    } else {
      STRING.lastIndex = start;
      if (!STRING.test(this.text)) return undefined;
      this.pos = STRING.lastIndex;
    }
    return this.text.slice(start, this.pos);
  }

  /** Skips one JSON value of any kind; its start and end, or undefined if it is not JSON. */
  value(depth = 0): [number, number] | undefined {
    this.skipWhitespace();
    const start = this.pos;
    const c = this.text.charCodeAt(start);
    if (c === 0x22) {
      if (this.rawString() === undefined) return undefined;
    } else if (c === 0x7b || c === 0x5b) {
      if (depth > MAX_DEPTH) return undefined;
      const close = c === 0x7b ? 0x7d : 0x5d;
      this.pos++;
      if (!this.accept(close)) {
        do {
          if (c === 0x7b && (this.rawString() === undefined || !this.expect(0x3a))) return undefined;
          if (this.value(depth + 1) === undefined) return undefined;
        } while (this.accept(0x2c));
        if (!this.expect(close)) return undefined;
      }
    } else if (this.text.startsWith("true", start)) {
      this.pos += 4;
    } else if (this.text.startsWith("false", start)) {
      this.pos += 5;
    } else if (this.text.startsWith("null", start)) {
      this.pos += 4;
    } else {
      NUMBER.lastIndex = start;
      if (!NUMBER.test(this.text)) return undefined;
      this.pos = NUMBER.lastIndex;
    }
    return [start, this.pos];
  }
}

/**
 * A scanned value's text as one line, for storing in a record line. A line
 * break in a JSON value can only be whitespace between tokens (strings
 * escape theirs), and a structural character always separates two tokens:
 * dropping the breaks keeps the value as sent.
 */
export function oneLine(raw: string): string {
  return raw.includes("\n") || raw.includes("\r") ? raw.replace(LINE_BREAKS, "") : raw;
}
