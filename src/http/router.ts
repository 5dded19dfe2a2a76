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
  match: (path: string) => Record<string, string> | null;
  handler: RouteHandler;
}

/** A deliberately small router: a handful of routes, matched in registration order. */
export class Router {
  private readonly routes: Route[] = [];

  /** Patterns: exact `/healthz`, params `/webhooks/:provider`, prefix `/v1/*`. */
  on(method: string | '*', pattern: string, handler: RouteHandler): this {
    this.routes.push({ method: method.toUpperCase(), name: pattern, match: compile(pattern), handler });
    return this;
  }

  find(
    method: string,
    path: string,
  ): { route: Route; params: Record<string, string> } | { allowed: string[] } | null {
    const allowed: string[] = [];
    for (const route of this.routes) {
      const params = route.match(path);
      if (!params) continue;
      if (route.method === '*' || route.method === method) return { route, params };
      allowed.push(route.method);
    }
    return allowed.length ? { allowed } : null;
  }
}

function compile(pattern: string): (path: string) => Record<string, string> | null {
  if (pattern.endsWith('/*')) {
    const prefix = pattern.slice(0, -1);
    return (path) => (path.startsWith(prefix) ? { '*': path.slice(prefix.length) } : null);
  }
  const parts = pattern.split('/');
  return (path) => {
    const segs = path.split('/');
    if (segs.length !== parts.length) return null;
    const params: Record<string, string> = {};
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (p.startsWith(':')) {
        if (!segs[i]) return null;
        params[p.slice(1)] = decodeURIComponent(segs[i]!);
      } else if (p !== segs[i]) return null;
    }
    return params;
  };
}
