import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { countPdfPages } from '../../../src/proxy/pdf-pages.ts';
import { promptEstimate } from '../../../src/proxy/usage.ts';

/** A PDF 1.4 file with its page objects written out. */
function plainPdf(pages: number): Buffer {
  const kids = Array.from({ length: pages }, (_, i) => `${i + 3} 0 R`).join(' ');
  const objects = [
    '1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj',
    `2 0 obj << /Type /Pages /Kids [${kids}] /Count ${pages} >> endobj`,
    ...Array.from(
      { length: pages },
      (_, i) => `${i + 3} 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >> endobj`,
    ),
  ];
  return Buffer.from(`%PDF-1.4\n${objects.join('\n')}\ntrailer << /Root 1 0 R >>\n%%EOF\n`, 'latin1');
}

/** A PDF 1.5 file whose page objects sit in a deflated object stream, as modern writers do. */
function objectStreamPdf(pages: number): Buffer {
  const inner = Array.from({ length: pages }, () => '<</Type/Page/Parent 2 0 R>>').join(' ');
  const packed = deflateSync(Buffer.from(`2 0 ${inner}`, 'latin1'));
  return Buffer.concat([
    Buffer.from(
      `%PDF-1.5\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n` +
        `5 0 obj << /Filter /FlateDecode /Type /ObjStm /N ${pages} /First 4 /Length ${packed.length} >>\nstream\r\n`,
      'latin1',
    ),
    packed,
    Buffer.from('\nendstream\nendobj\n%%EOF\n', 'latin1'),
  ]);
}

const chatWithFile = (file: Record<string, unknown>) => ({
  messages: [{ role: 'user', content: [{ type: 'file', file }] }],
});

describe('PDF pages and file parts in the prompt estimate', () => {
  it('counts page objects, not the page tree', () => {
    expect(countPdfPages(plainPdf(3))).toBe(3);
    expect(countPdfPages(plainPdf(1))).toBe(1);
  });

  it('counts pages inside compressed object streams', () => {
    expect(countPdfPages(objectStreamPdf(40))).toBe(40);
  });

  it('stops decompressing at its budget and finds nothing in what is not a PDF', () => {
    expect(countPdfPages(objectStreamPdf(40), 10)).toBe(0);
    expect(countPdfPages(Buffer.from('hello'))).toBe(0);
  });

  it('estimates an inline PDF at 2,105 tokens a page, chat and Responses shapes alike', () => {
    const data = `data:application/pdf;base64,${objectStreamPdf(12).toString('base64')}`;
    expect(promptEstimate(chatWithFile({ file_data: data, filename: 'a.pdf' })).tokens).toBe(12 * 2_105 + 4);
    expect(
      promptEstimate({ input: [{ role: 'user', content: [{ type: 'input_file', file_data: data }] }] })
        .tokens,
    ).toBe(12 * 2_105 + 4);
  });

  it('takes a PDF whose pages it cannot find as one page, and another inline file as text', () => {
    const opaque = Buffer.from('%PDF-1.7\n(encrypted)\n%%EOF', 'latin1').toString('base64');
    expect(promptEstimate(chatWithFile({ file_data: `data:application/pdf;base64,${opaque}` })).tokens).toBe(
      2_105 + 4,
    );
    const text = Buffer.from('x'.repeat(4_000)).toString('base64');
    expect(promptEstimate(chatWithFile({ file_data: `data:text/plain;base64,${text}` })).tokens).toBe(
      1_000 + 4,
    );
  });

  it('counts a file known only by id or URL as the configured reference size', () => {
    expect(promptEstimate(chatWithFile({ file_id: 'file-abc' }), { fileReferenceTokens: 500 }).tokens).toBe(
      504,
    );
    expect(
      promptEstimate(
        { input: [{ role: 'user', content: [{ type: 'input_file', file_url: 'https://x.test/a.pdf' }] }] },
        { fileReferenceTokens: 32_000 },
      ).tokens,
    ).toBe(32_004);
  });
});
