import { describe, expect, it } from 'vitest';
import { type SseEvent, SseParser } from '../../../src/proxy/sse.ts';

function parseAll(chunks: Buffer[]) {
  const parser = new SseParser();
  const events: { type: string | null; data: string | null; raw: string }[] = [];
  const on = (b: Buffer, ev: SseEvent) =>
    events.push({
      type: ev.type,
      data: ev.data?.toString() ?? null,
      raw: b.toString('utf8', ev.start, ev.end),
    });
  for (const c of chunks) parser.feed(c, on);
  parser.end(on);
  return events;
}

const STREAM =
  'data: {"a":1}\n\n' +
  ': keep-alive comment\n\n' +
  'event: response.completed\r\ndata: {"b":\r\ndata: 2}\r\n\r\n' +
  'data: [DONE]\n\n';

describe('SseParser', () => {
  it('finds every event whatever the chunk boundaries, with LF, CRLF and multi-line data', () => {
    const whole = Buffer.from(STREAM);
    const expected = parseAll([whole]);
    expect(expected.map((e) => [e.type, e.data])).toEqual([
      [null, '{"a":1}'],
      [null, null],
      ['response.completed', '{"b":\n2}'],
      [null, '[DONE]'],
    ]);
    expect(expected.map((e) => e.raw).join('')).toBe(STREAM);
    for (let i = 1; i < whole.length; i++) {
      for (const j of [i + 1, i + 7, whole.length]) {
        const parts = [
          whole.subarray(0, i),
          whole.subarray(i, Math.min(j, whole.length)),
          whole.subarray(Math.min(j, whole.length)),
        ];
        expect(parseAll(parts.filter((p) => p.length))).toEqual(expected);
      }
    }
  });

  it('dispatches a last event that lacks its blank line at end of stream', () => {
    expect(parseAll([Buffer.from('data: {"x":1}\n\ndata: tail')]).map((e) => e.data)).toEqual([
      '{"x":1}',
      'tail',
    ]);
  });

  it('treats a lone CR as a line ending', () => {
    expect(parseAll([Buffer.from('data: one\r\rdata: two\r\r')]).map((e) => e.data)).toEqual(['one', 'two']);
  });
});
