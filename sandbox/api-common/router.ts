/** A route template such as `DELETE /tenants/{id}/users/{userId}`, compiled for matching. */
interface CompiledRoute<R> {
  route: R;
  method: string;
  segments: readonly string[];
}

export type RouteMatch<R> = { found: true; route: R; params: Record<string, string> } | { found: false };

function splitPath(path: string): string[] {
  // A single trailing slash is tolerated (`/tenants/`), as API Gateway proxies it unchanged.
  const trimmed = path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
  return trimmed.split("/").slice(1);
}

/** Builds a matcher over route keys (`METHOD /path/{param}`); literal segments win over parameters. */
export function createRouter<R extends { key: string }>(routes: readonly R[]) {
  const compiled: CompiledRoute<R>[] = routes.map((route) => {
    const [method = "", template = ""] = route.key.split(" ");
    return { route, method, segments: splitPath(template) };
  });

  return function match(method: string, path: string): RouteMatch<R> {
    const raw = splitPath(path);
    let decoded: string[];
    try {
      decoded = raw.map((segment) => decodeURIComponent(segment));
    } catch {
      // A segment that is not valid percent-encoding cannot name any resource.
      return { found: false };
    }
    let best: { route: R; params: Record<string, string>; literals: number } | undefined;
    for (const candidate of compiled) {
      if (candidate.method !== method.toUpperCase() || candidate.segments.length !== decoded.length) continue;
      const params: Record<string, string> = {};
      let literals = 0;
      let ok = true;
      candidate.segments.forEach((segment, index) => {
        const value = decoded[index] ?? "";
        if (segment.startsWith("{") && segment.endsWith("}")) {
          if (value === "") ok = false;
          params[segment.slice(1, -1)] = value;
        } else if (segment === value) {
          literals += 1;
        } else {
          ok = false;
        }
      });
      if (ok && (best === undefined || literals > best.literals))
        best = { route: candidate.route, params, literals };
    }
    return best ? { found: true, route: best.route, params: best.params } : { found: false };
  };
}
