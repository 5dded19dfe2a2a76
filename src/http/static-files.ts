import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { currentRequestId } from '../lib/request-context.ts';
import { sendJson } from './errors.ts';
import type { RouteHandler } from './router.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * A single-page app built into `root` (Vite's output), served under `/prefix/*`:
 * - `assets/…` are content-hashed by the build, so they are cached for a year and never revalidated;
 * - any other path without a file extension is a client-side route and gets `index.html`, which is never
 *   cached, so a new build is picked up at the next page load;
 * - a path that escapes `root` (`..`, encoded or not) or names a missing file is a 404.
 * Without a build the page says how to make one (503), rather than a blank 404.
 */
export function singlePageApp(options: {
  root: string;
  /** Headers on every HTML answer (Content-Security-Policy, framing). */
  htmlHeaders: Record<string, string>;
  missingBuildHint: string;
}): RouteHandler {
  const root = resolve(options.root);
  return async (req, res, params) => {
    const rest = params['*'] ?? '';
    let rel: string;
    try {
      rel = decodeURIComponent(rest.split('?')[0]!);
    } catch {
      return notFound(res);
    }
    if (rel.includes('\0')) return notFound(res);
    const file = resolve(join(root, rel));
    if (file !== root && !file.startsWith(root + sep)) return notFound(res);
    const isAsset = rel.startsWith('assets/');
    if (extname(rel) !== '' || isAsset) {
      const st = await stat(file).catch(() => null);
      if (!st?.isFile()) return notFound(res);
      return send(req, res, file, st.size, {
        'cache-control': isAsset ? 'public, max-age=31536000, immutable' : 'no-cache',
      });
    }
    const index = join(root, 'index.html');
    const st = await stat(index).catch(() => null);
    if (!st?.isFile())
      return sendJson(res, 503, {
        error: { message: options.missingBuildHint, type: 'service_unavailable', code: 'CONSOLE_NOT_BUILT' },
        request_id: currentRequestId(),
      });
    return send(req, res, index, st.size, { 'cache-control': 'no-cache', ...options.htmlHeaders });
  };
}

function notFound(res: ServerResponse) {
  sendJson(res, 404, {
    error: { message: 'Not found', type: 'not_found', code: 'NOT_FOUND' },
    request_id: currentRequestId(),
  });
}

function send(
  req: IncomingMessage,
  res: ServerResponse,
  file: string,
  size: number,
  headers: Record<string, string>,
): Promise<void> {
  res.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'content-length': String(size),
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  if (req.method === 'HEAD') {
    res.end();
    return Promise.resolve();
  }
  return new Promise((done) => {
    const stream = createReadStream(file);
    stream.on('error', () => {
      res.destroy();
      done();
    });
    stream.on('end', done);
    stream.pipe(res);
  });
}
