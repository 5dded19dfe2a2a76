import QRCode from 'qrcode';

/**
 * The QR code a buyer scans (Alipay precreate's `qr_code`), drawn here as an SVG of paths only: the
 * hosted page shows it without fetching anything from another origin and without running any of it.
 */
export const qrSvg = (content: string): Promise<string> =>
  QRCode.toString(content, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
