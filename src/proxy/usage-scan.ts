import type { Usage } from '../admission/port.ts';
import { usageOf } from './usage.ts';

/**
 * Reading usage and answer text out of upstream JSON without parsing it: every chunk of every
 * stream passes through here, and a full `JSON.parse` is kept for the few chunks that carry usage.
 */

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const USAGE_KEY = Buffer.from('"usage"');
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function skipWs(buf: Buffer, i: number): number {
  while (i < buf.length) {
    const b = buf[i]!;
    if (b !== SPACE && b !== TAB && b !== LF && b !== CR) break;
    i++;
  }
  return i;
}

/** Index of the first byte of the value of `"key":` at or after `from`, or -1. `quotedKey` includes the quotes. */
export function findJsonValue(buf: Buffer, quotedKey: Buffer, from = 0): number {
  let at = buf.indexOf(quotedKey, from);
  while (at !== -1) {
    const i = skipWs(buf, at + quotedKey.length);
    if (buf[i] === COLON) return skipWs(buf, i + 1);
    at = buf.indexOf(quotedKey, at + 1);
  }
  return -1;
}

/** True when the JSON text carries a `"usage": {…}` object (not `"usage": null`). */
export function hasUsageObject(buf: Buffer): boolean {
  let from = 0;
  for (;;) {
    const v = findJsonValue(buf, USAGE_KEY, from);
    if (v === -1) return false;
    if (buf[v] === OPEN_BRACE) return true;
    from = v;
  }
}

/**
 * Characters (code points) in the JSON string values of the given keys, without decoding: the
 * text a stream delivered, for estimating completion tokens when upstream reports no usage.
 */
export function countStringChars(buf: Buffer, quotedKeys: readonly Buffer[]): number {
  let total = 0;
  for (const key of quotedKeys) {
    let from = 0;
    for (;;) {
      const v = findJsonValue(buf, key, from);
      if (v === -1) break;
      if (buf[v] !== QUOTE) {
        from = v;
        continue;
      }
      let i = v + 1;
      while (i < buf.length) {
        const b = buf[i]!;
        if (b === QUOTE) break;
        if (b === BACKSLASH) {
          i += buf[i + 1] === 0x75 ? 6 : 2; // \uXXXX or \n, \", …
          total++;
          continue;
        }
        if ((b & 0xc0) !== 0x80) total++; // not a UTF-8 continuation byte
        i++;
      }
      from = i + 1;
    }
  }
  return total;
}

/** Keys whose string values are the text of a chat or completions answer (stream deltas and whole bodies). */
export const CHAT_TEXT_KEYS: readonly Buffer[] = [
  '"content"',
  '"text"',
  '"arguments"',
  '"reasoning_content"',
].map((k) => Buffer.from(k));
/** The Responses API streams its text as `delta` events. */
export const RESPONSES_TEXT_KEYS: readonly Buffer[] = [Buffer.from('"delta"')];

const isBlank = (v: unknown) =>
  v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);

/**
 * The extra chunk `include_usage` adds: OpenAI sends `choices: []`; LiteLLM 1.89 sends one choice
 * with an empty delta and no finish_reason. Either way it carries nothing but usage.
 */
export function isUsageOnlyChunk(obj: any): boolean {
  if (!Array.isArray(obj?.choices)) return false;
  return obj.choices.every(
    (c: any) =>
      isBlank(c?.finish_reason) &&
      isBlank(c?.text) &&
      isBlank(c?.logprobs) &&
      (c?.delta === undefined || c?.delta === null || Object.values(c.delta).every(isBlank)),
  );
}

/** Finds the last `"usage": {…}` in a JSON fragment (the tail of a large body) and parses that object alone. */
export function usageFromFragment(buf: Buffer): Usage | null {
  let at = -1;
  for (let from = 0; ; ) {
    const v = findJsonValue(buf, USAGE_KEY, from);
    if (v === -1) break;
    if (buf[v] === OPEN_BRACE) at = v;
    from = v;
  }
  if (at === -1) return null;
  let depth = 0;
  let inString = false;
  for (let i = at; i < buf.length; i++) {
    const b = buf[i]!;
    if (inString) {
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) inString = false;
    } else if (b === QUOTE) inString = true;
    else if (b === OPEN_BRACE) depth++;
    else if (b === CLOSE_BRACE && --depth === 0) {
      try {
        return usageOf({ usage: JSON.parse(buf.toString('utf8', at, i + 1)) });
      } catch {
        return null;
      }
    }
  }
  return null;
}
