import { describe, expect, it } from 'vitest';
import { countStringChars, hasUsageObject, usageFromFragment } from '../../../src/proxy/usage-scan.ts';

describe('JSON scanning without decoding', () => {
  it('tells a usage object from usage null', () => {
    expect(hasUsageObject(Buffer.from('{"choices":[],"usage": {"prompt_tokens":1}}'))).toBe(true);
    expect(
      hasUsageObject(Buffer.from('{"choices":[{"delta":{"content":"\\"usage\\":{"}}],"usage":null}')),
    ).toBe(false);
  });

  it('counts characters of string values, escapes and multi-byte code points included', () => {
    const chunk = Buffer.from(JSON.stringify({ choices: [{ delta: { content: 'héllo "x"\n€😀' } }] }));
    expect(countStringChars(chunk, [Buffer.from('"content"')])).toBe('héllo "x"\n€'.length + 1);
    expect(countStringChars(Buffer.from('{"delta":{"content":null}}'), [Buffer.from('"content"')])).toBe(0);
  });

  it('finds the last usage object in the tail of a body cut anywhere before it', () => {
    const body = JSON.stringify({
      choices: [{ message: { content: 'a "usage": {"prompt_tokens": 99} look-alike' } }],
      usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 },
    });
    const tail = Buffer.from(body.slice(body.indexOf('look-alike')));
    expect(usageFromFragment(tail)).toEqual({
      promptTokens: 7,
      completionTokens: 3,
      cachedTokens: 0,
      totalTokens: 10,
    });
    expect(usageFromFragment(Buffer.from('{"usage": {"prompt_tokens": 1'))).toBeNull();
    expect(usageFromFragment(Buffer.from('{"usage": null}'))).toBeNull();
  });
});
