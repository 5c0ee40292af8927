import { PathParameterError } from "./errors.ts";
import { type OperationId, operationIds, operations } from "./operations.ts";

const PLACEHOLDER = /\{([A-Za-z][A-Za-z0-9]*)\}/g;

/** Placeholder names of a path template, in order (`/tenants/{id}/users/{userId}` -> id, userId). */
export function pathParameterNames(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((match) => match[1] ?? "");
}

/** Fills an operation's path template; every value is URI-encoded so ids cannot break out of a segment. */
export function buildPath(id: OperationId, params: Readonly<Record<string, string>> = {}): string {
  const template = operations[id].path;
  return template.replace(PLACEHOLDER, (_whole, name: string) => {
    const value = params[name];
    if (value === undefined || value === "") throw new PathParameterError(id, name, template);
    return encodeURIComponent(value);
  });
}

/** `METHOD /template` as the contract and the runbook write it, e.g. `POST /tenants/{id}/park`. */
export function endpointLabel(id: OperationId): string {
  return `${operations[id].method} ${operations[id].path}`;
}

const matchers = operationIds.map((id) => {
  const source = operations[id].path
    .split(PLACEHOLDER)
    .map((part, index) => (index % 2 === 1 ? "[^/]+" : part.replace(/[.*+?^$()|[\]\\]/g, "\\$&")))
    .join("");
  return { id, method: operations[id].method, pattern: new RegExp(`^${source}/?$`) };
});

/** The operation a concrete request (`GET /tenants/ten_1?limit=5`) belongs to, or undefined for no route. */
export function matchOperation(method: string, pathWithQuery: string): OperationId | undefined {
  const path = pathWithQuery.split("?", 1)[0] ?? "";
  const upper = method.toUpperCase();
  return matchers.find((matcher) => matcher.method === upper && matcher.pattern.test(path))?.id;
}
