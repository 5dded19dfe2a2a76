import { describe, expect, it } from 'vitest';
import { newId, uuidv7 } from '../../../src/lib/ids.ts';

describe('uuidv7', () => {
  it('puts the 48-bit millisecond time first, then version 7 and the RFC 9562 variant', () => {
    const ms = 0xfedc_ba98_7654; // every one of the 48 bits in use
    const id = uuidv7(ms);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16)).toBe(ms);
  });

  it('stays unique over many pools of entropy', () => {
    const ids = Array.from({ length: 20_000 }, () => newId('t'));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((i) => /^t_[0-9a-f]{32}$/.test(i))).toBe(true);
  });
});
