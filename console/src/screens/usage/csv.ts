/**
 * CSV as RFC 4180 says (quotes doubled, fields with a comma, quote or line break quoted, CRLF rows), and
 * safe to open in a spreadsheet: a text cell starting with =, +, -, @, a tab or a carriage return would
 * be run as a formula (CSV injection, OWASP), so it gets a leading apostrophe. Model names and similar
 * text come from API clients, so this matters. Plain numbers are left as they are.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (FORMULA_START.test(text) && !PLAIN_NUMBER.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvRow(cells: readonly (string | number | boolean | null | undefined)[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}
