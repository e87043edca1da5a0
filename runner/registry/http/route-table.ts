import type { Reply, RequestContext } from './request-context.ts';

export type Handler = (ctx: RequestContext) => Reply | Promise<Reply>;

export interface Route {
  /** Exact path, or a prefix ending in `/` whose remainder becomes ctx.param. */
  path: string;
  prefix: boolean;
  methods: Record<string, Handler>;
}

/**
 * RouteTable: Consul's endpoint table. An exact path wins over a prefix; the longest prefix wins. A path
 * that matches with the wrong method is a 405 with `Allow: OPTIONS,<methods>`.
 */
export class RouteTable {
  readonly #exact = new Map<string, Route>();
  readonly #prefixes: Route[] = [];

  add(path: string, methods: Record<string, Handler>): this {
    const prefix = path.endsWith('/');
    const route = { path, prefix, methods };
    if (prefix) {
      this.#prefixes.push(route);
      this.#prefixes.sort((a, b) => b.path.length - a.path.length);
    } else {
      this.#exact.set(path, route);
    }
    return this;
  }

  match(path: string): { route: Route; param: string } | undefined {
    const exact = this.#exact.get(path);
    if (exact) return { route: exact, param: '' };
    for (const r of this.#prefixes) if (path.startsWith(r.path)) return { route: r, param: path.slice(r.path.length) };
    return undefined;
  }
}
