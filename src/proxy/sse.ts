/**
 * An incremental server-sent-events scanner over Buffer chunks. It never decodes the stream to
 * strings: it finds event boundaries (blank lines, with `\n`, `\r\n` or `\r` line endings) and
 * hands each complete event back as offsets into the buffer plus its `event:` type and `data:`
 * payload (a zero-copy subarray unless the event has several data lines). Events split across
 * chunks are carried over; only then is a buffer allocated.
 */
export interface SseEvent {
  /** Offsets of the whole event, terminating blank line included, in the buffer given to the callback. */
  start: number;
  end: number;
  type: string | null;
  data: Buffer | null;
}

const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const SPACE = 0x20;
const DATA = Buffer.from('data');
const EVENT = Buffer.from('event');

export class SseParser {
  private pending: Buffer | null = null;

  /** Bytes of an incomplete event carried to the next chunk. */
  get pendingBytes(): number {
    return this.pending?.length ?? 0;
  }

  /**
   * Scans `chunk` (after any carried-over bytes) and calls `onEvent` for each complete event.
   * Returns the buffer the offsets refer to and where its incomplete tail starts.
   */
  feed(chunk: Buffer, onEvent: (buf: Buffer, event: SseEvent) => void): { buf: Buffer; tailStart: number } {
    const buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    const tailStart = scan(buf, onEvent, false);
    this.pending = tailStart < buf.length ? buf.subarray(tailStart) : null;
    return { buf, tailStart };
  }

  /** At end of stream: dispatches a final event that lacked its blank line, returns the carried bytes. */
  end(onEvent: (buf: Buffer, event: SseEvent) => void): Buffer | null {
    const rest = this.pending;
    this.pending = null;
    if (rest) scan(rest, onEvent, true);
    return rest;
  }
}

function scan(buf: Buffer, onEvent: (buf: Buffer, event: SseEvent) => void, atEnd: boolean): number {
  const len = buf.length;
  let pos = 0;
  let eventStart = 0;
  let type: string | null = null;
  let dataStart = -1;
  let dataEnd = -1;
  let dataParts: Buffer[] | null = null;
  let nextLf = -2;
  let nextCr = -2;
  const dispatch = (end: number) => {
    let data: Buffer | null = null;
    if (dataParts) data = Buffer.concat(dataParts);
    else if (dataStart >= 0) data = buf.subarray(dataStart, dataEnd);
    onEvent(buf, { start: eventStart, end, type, data });
    eventStart = end;
    type = null;
    dataStart = dataEnd = -1;
    dataParts = null;
  };
  while (pos < len) {
    if (nextLf !== -1 && nextLf < pos) nextLf = buf.indexOf(LF, pos);
    if (nextCr !== -1 && nextCr < pos) nextCr = buf.indexOf(CR, pos);
    let lineEnd: number;
    let next: number;
    if (nextCr !== -1 && (nextLf === -1 || nextCr < nextLf)) {
      if (nextCr === len - 1 && !atEnd) break; // a `\n` may follow in the next chunk
      lineEnd = nextCr;
      next = buf[nextCr + 1] === LF ? nextCr + 2 : nextCr + 1;
    } else if (nextLf !== -1) {
      lineEnd = nextLf;
      next = nextLf + 1;
    } else if (atEnd) {
      lineEnd = len;
      next = len;
    } else break;

    if (lineEnd === pos) {
      dispatch(next);
    } else if (buf[pos] !== COLON) {
      const colon = buf.indexOf(COLON, pos);
      const nameEnd = colon === -1 || colon > lineEnd ? lineEnd : colon;
      let valueStart = nameEnd === lineEnd ? lineEnd : nameEnd + 1;
      if (valueStart < lineEnd && buf[valueStart] === SPACE) valueStart++;
      const nameLen = nameEnd - pos;
      if (nameLen === 4 && buf.compare(DATA, 0, 4, pos, nameEnd) === 0) {
        if (dataStart < 0 && !dataParts) {
          dataStart = valueStart;
          dataEnd = lineEnd;
        } else {
          dataParts ??= [buf.subarray(dataStart, dataEnd)];
          dataParts.push(Buffer.from('\n'), buf.subarray(valueStart, lineEnd));
        }
      } else if (nameLen === 5 && buf.compare(EVENT, 0, 5, pos, nameEnd) === 0) {
        type = buf.toString('utf8', valueStart, lineEnd);
      }
    }
    pos = next;
  }
  if (atEnd && (dataStart >= 0 || dataParts || type !== null)) dispatch(len);
  return eventStart;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function skipWs(buf: Buffer, i: number): number {
  while (i < buf.length) {
    const b = buf[i]!;
    if (b !== SPACE && b !== 0x09 && b !== LF && b !== CR) break;
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

const USAGE_KEY = Buffer.from('"usage"');

/** True when the JSON text carries a `"usage": {…}` object (not `"usage": null`). */
export function hasUsageObject(buf: Buffer): boolean {
  let from = 0;
  for (;;) {
    const v = findJsonValue(buf, USAGE_KEY, from);
    if (v === -1) return false;
    if (buf[v] === 0x7b) return true;
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

export const DONE = Buffer.from('[DONE]');
