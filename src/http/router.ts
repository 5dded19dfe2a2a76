import type { IncomingMessage, ServerResponse } from 'node:http';

export type RouteHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  params: Record<string, string>,
) => void | Promise<void>;

interface Route {
  method: string;
  /** Metric label and documentation name, e.g. `/webhooks/:provider`. */
  name: string;
  /** Params of a matching path; `MALFORMED` when it matches but a parameter is not valid percent-encoding. */
  match: (path: string) => Record<string, string> | typeof MALFORMED | null;
  handler: RouteHandler;
}

/** A path that matched a route whose parameter could not be decoded (`/webhooks/%`, `/pay/%ZZ/status`). */
export const MALFORMED = Symbol('malformed-path');

export type RouteMatch =
  | { route: Route; params: Record<string, string> }
  | { route: Route; malformed: true }
  | { allowed: string[] };

/** A deliberately small router: a handful of routes, matched in registration order. */
export class Router {
  private readonly routes: Route[] = [];

  /** Patterns: exact `/healthz`, params `/webhooks/:provider`, prefix `/v1/*`. */
  on(method: string | '*', pattern: string, handler: RouteHandler): this {
    this.routes.push({ method: method.toUpperCase(), name: pattern, match: compile(pattern), handler });
    return this;
  }

  find(method: string, path: string): RouteMatch | null {
    const allowed: string[] = [];
    for (const route of this.routes) {
      const params = route.match(path);
      if (!params) continue;
      if (route.method === '*' || route.method === method)
        return params === MALFORMED ? { route, malformed: true } : { route, params };
      allowed.push(route.method);
    }
    return allowed.length ? { allowed } : null;
  }
}

/** decodeURIComponent throws URIError on `%`, `%ZZ` or an invalid UTF-8 sequence: that is the client's mistake. */
function decodeParam(segment: string): string | typeof MALFORMED {
  try {
    return decodeURIComponent(segment);
  } catch {
    return MALFORMED;
  }
}

function compile(pattern: string): (path: string) => Record<string, string> | typeof MALFORMED | null {
  if (pattern.endsWith('/*')) {
    const prefix = pattern.slice(0, -1);
    return (path) => (path.startsWith(prefix) ? { '*': path.slice(prefix.length) } : null);
  }
  const parts = pattern.split('/');
  return (path) => {
    const segs = path.split('/');
    if (segs.length !== parts.length) return null;
    const params: Record<string, string> = {};
    let malformed = false;
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (p.startsWith(':')) {
        if (!segs[i]) return null;
        const value = decodeParam(segs[i]!);
        if (value === MALFORMED) malformed = true;
        else params[p.slice(1)] = value;
      } else if (p !== segs[i]) return null;
    }
    return malformed ? MALFORMED : params;
  };
}
