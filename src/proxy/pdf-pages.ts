import { inflateSync } from 'node:zlib';

/** A page object's dictionary: `/Type /Page`, not `/Type /Pages` (the page tree's nodes). */
const PAGE_OBJECT = /\/Type\s*\/Page(?![A-Za-z])/g;

const count = (text: string) => text.match(PAGE_OBJECT)?.length ?? 0;

/**
 * How many pages a PDF has, by counting its page objects, without a PDF library: in the file as
 * written, and inside its compressed object streams (PDF 1.5+ writers put page objects there).
 * `maxInflatedBytes` bounds the decompression work a request can cause. 0 when none is found
 * (not a PDF, or an encoding this does not read).
 */
export function countPdfPages(pdf: Buffer, maxInflatedBytes = 16 * 1024 * 1024): number {
  const text = pdf.toString('latin1');
  let pages = count(text);
  let budget = maxInflatedBytes;
  for (let at = text.indexOf('/ObjStm'); at !== -1 && budget > 0; at = text.indexOf('/ObjStm', at + 7)) {
    const dictEnd = text.indexOf('stream', at);
    if (dictEnd === -1) break;
    let start = dictEnd + 'stream'.length;
    if (text[start] === '\r') start++;
    if (text[start] === '\n') start++;
    const end = text.indexOf('endstream', start);
    if (end === -1) break;
    try {
      const inflated = inflateSync(pdf.subarray(start, end), { maxOutputLength: budget });
      budget -= inflated.length;
      pages += count(inflated.toString('latin1'));
    } catch {
      // Not deflated, truncated or past the budget: this stream's pages go uncounted.
    }
    at = end;
  }
  return pages;
}
