// The produce body's fast reader (worker/produce/scan.ts) against the schema
// it stands in for: whatever the reader accepts, the schema accepts with the
// same meaning — case by case, then over generated and broken bodies.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { scanProduceBody, type ScannedRecord } from "../../worker/produce/scan.ts";
import { ProduceBody } from "../../worker/schemas/records.ts";
import { createTopic, fetchAll, sendJson, uniqueTopic } from "./support.ts";

/** What the schema makes of `text`: its records with values parsed, or undefined when it refuses. */
function bySchema(text: string): unknown[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const result = ProduceBody.safeParse(parsed);
  return result.success ? result.data.records : undefined;
}

/** The reader's records in the schema's shape (values parsed from their text). */
function normalized(records: ScannedRecord[]): unknown[] {
  return records.map(({ valueJson, ...rest }) => (valueJson === undefined ? rest : { ...rest, value: JSON.parse(valueJson) }));
}

/** The property the hot path rests on: the reader never says yes where the schema says no, nor means otherwise. */
function expectAgreement(text: string): ScannedRecord[] | undefined {
  const scanned = scanProduceBody(text);
  if (scanned !== undefined) {
    const schema = bySchema(text);
    expect(schema, `the schema refuses what the reader accepted: ${text.slice(0, 300)}`).toBeDefined();
    expect(normalized(scanned)).toEqual(schema);
    for (const r of scanned) expect(r.valueJson ?? "", "a line break in a stored value").not.toMatch(/[\n\r]/);
  }
  return scanned;
}

describe("the produce body reader", () => {
  it("reads the bodies producers send, values as the text they came as", () => {
    const cases = [
      '{"records":[{"value":"hello"}]}',
      '{"records":[{"key":"user-1","value":{"n":1,"tags":["a","b"]},"headers":{"source":"web"}}]}',
      '{"records":[{"keyBase64":"AAEC","valueBase64":"/w==","partition":2,"timestamp":1700000000000}]}',
      '{"records":[{"key":null,"value":null}]}',
      '{ "records" : [ { "value" : [1, 2.5, -3e2, true, false, null, "\\u00e9\\n"] } , {"value":0} ] }\n',
      '{"records":[{"value":"x","key":"k\\"q"}]}',
    ];
    for (const text of cases) expect(expectAgreement(text), text).toBeDefined();
    const [record] = scanProduceBody('{"records":[{"value": {"a" : 1.50}}]}')!;
    expect(record!.valueJson).toBe('{"a" : 1.50}');
    // Records are stored one per line: line breaks between a value's tokens go.
    const [multiline] = scanProduceBody('{"records":[{"value":{\n"a":\r\n[1,\n2]}}]}')!;
    expect(multiline!.valueJson).toBe('{"a":[1,2]}');
    // Only the line breaks go: the value is not parsed and written again (-0 stays -0).
    const [negativeZero] = scanProduceBody('{"records":[{"value":[\n\t-0.0\n]}]}')!;
    expect(negativeZero!.valueJson).toBe("[\t-0.0]");
    expect(Object.is((JSON.parse(negativeZero!.valueJson!) as number[])[0], -0)).toBe(true);
  });

  it("leaves every body the schema refuses, or might read otherwise, to the schema", () => {
    const cases = [
      "",
      "{}",
      '{"records":[]}',
      '{"records":[{}]}',
      '{"records":[{"value":1,"valueBase64":"AA=="}]}',
      '{"records":[{"key":"a","keyBase64":"AA==","value":1}]}',
      '{"records":[{"value":1,"extra":true}]}',
      '{"records":[{"value":1}],"more":1}',
      '{"records":[{"value":1,"value":2}]}',
      '{"records":[{"value":1}]} x',
      '{"records":[{"value":01}]}',
      '{"records":[{"value":"tab\there"}]}',
      '{"records":[{"value":"bad \\x escape"}]}',
      '{"records":[{"value":1,"partition":-1}]}',
      '{"records":[{"value":1,"partition":1.5}]}',
      '{"records":[{"value":1,"timestamp":1e3}]}',
      '{"records":[{"valueBase64":"not base64"}]}',
      '{"records":[{"value":1,"headers":{"a":1}}]}',
      '{"records":[{"value":1,"headers":{"__proto__":"x"}}]}',
      '{"records":[{"value":[1,]}]}',
      '{"records":[{"value":{"a":1,}}]}',
      '{"records":[{"value":"unterminated}]}',
      `{"records":[{"value":${"[".repeat(100)}${"]".repeat(100)}}]}`,
    ];
    for (const text of cases) expect(scanProduceBody(text), text).toBeUndefined();
  });

  it("agrees with the schema over generated records, formats and damage", () => {
    // Mostly valid records, with every way of being wrong mixed in now and then.
    const rarely = <T>(usual: fc.Arbitrary<T>, odd: fc.Arbitrary<T>) => fc.oneof({ arbitrary: usual, weight: 6 }, { arbitrary: odd, weight: 1 });
    const value = fc.oneof(fc.json().map((j) => JSON.parse(j) as unknown), fc.string(), fc.double(), fc.constant(null));
    const payload = rarely<object>(
      fc.oneof(value.map((v) => ({ value: v })), fc.base64String().map((b) => ({ valueBase64: b }))),
      fc.oneof(fc.constant({}), fc.string().map((b) => ({ valueBase64: b })), fc.constant({ value: 1, valueBase64: "AA==" })),
    );
    const key = rarely<object>(
      fc.oneof(fc.constant({}), fc.string().map((k) => ({ key: k })), fc.constant({ key: null }), fc.base64String().map((k) => ({ keyBase64: k }))),
      fc.oneof(fc.integer().map((k) => ({ key: k })), fc.constant({ key: "a", keyBase64: "AA==" }), fc.string().map((k) => ({ keyBase64: k }))),
    );
    const extras = rarely<object>(
      fc.record(
        {
          headers: fc.dictionary(fc.string({ maxLength: 5 }), fc.string(), { maxKeys: 3 }),
          partition: fc.integer({ min: 0, max: 99 }),
          timestamp: fc.nat(),
        },
        { requiredKeys: [] },
      ),
      fc.oneof(
        fc.dictionary(fc.string({ maxLength: 5 }), fc.oneof(fc.string(), fc.integer()), { minKeys: 1, maxKeys: 40 }).map((h) => ({ headers: h })),
        fc.oneof(fc.integer({ min: -2, max: 20000 }), fc.double()).map((p) => ({ partition: p })),
        fc.oneof(fc.double(), fc.constant(9e15), fc.constant(-1)).map((t) => ({ timestamp: t })),
        fc.string().map((x) => ({ extra: x })),
      ),
    );
    const record = fc.tuple(key, payload, extras).map(([k, p, e]) => ({ ...k, ...p, ...e }));
    const body = fc.tuple(fc.array(record, { minLength: 0, maxLength: 4 }), fc.constantFrom(undefined, 1, "\t"));
    // fast-check's `freq`: one body in four is left whole, the rest get one character changed.
    const damage = fc.option(fc.tuple(fc.nat(), fc.constantFrom("", ",", "]", "}", '"', "\\", "\u0001", " ", "{")), { nil: undefined, freq: 4 });
    let accepted = 0;
    fc.assert(
      fc.property(body, damage, ([records, indent], cut) => {
        let text = JSON.stringify({ records }, null, indent);
        if (cut) {
          const at = cut[0] % (text.length + 1);
          text = text.slice(0, at) + cut[1] + text.slice(at + 1);
        }
        if (expectAgreement(text)) accepted++;
      }),
      { numRuns: 3000 },
    );
    // The generator must reach the fast path often enough for this to mean something.
    expect(accepted).toBeGreaterThan(150);
  });

  it("stores values as sent, pretty-printed or not, and reads them back as the same JSON", async () => {
    const topic = uniqueTopic("scan");
    await createTopic(topic);
    const values = [{ nested: { list: [1, 2.5, "x\ny"], ok: true } }, "plain", 12345678901234567890, null, [{}]];
    const body = JSON.stringify({ records: values.map((value, i) => ({ key: `k${i}`, value })) }, null, 2);
    expect(scanProduceBody(body), "the fast path serves this body").toBeDefined();
    const res = await sendJson("POST", `/v1/topics/${topic}/records`, body);
    expect(res.status).toBe(200);
    const { records } = await fetchAll(topic, 0);
    expect(records.map((r) => r.value)).toEqual(values);
    expect(records.map((r) => r.key)).toEqual(values.map((_, i) => `k${i}`));
  });
});
