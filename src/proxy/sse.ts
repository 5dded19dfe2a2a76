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

export const DONE = Buffer.from('[DONE]');
