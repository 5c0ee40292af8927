/**
 * The awsQuery request form (`Action=...&Version=...&A.member.1.B=...`, form-encoded POST or GET query
 * string), turned into the same nested input objects the JSON protocols carry. Values stay strings;
 * the services' schemas accept numeric and boolean strings where the Query API sends them.
 */

export interface QueryRequest {
  action: string | undefined;
  version: string | undefined;
  input: Record<string, unknown>;
}

type Node = Record<string, unknown>;

function isNode(value: unknown): value is Node {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Names that would reach Object.prototype if used as keys; such parameters are dropped. */
const forbiddenKeys: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

function setPath(root: Node, path: string[], value: string): void {
  if (path.some((key) => forbiddenKeys.has(key))) return;
  let current: Node = root;
  for (let i = 0; i < path.length; i++) {
    const key = path[i] ?? "";
    const last = i === path.length - 1;
    if (last) {
      current[key] = value;
      return;
    }
    const next = Object.hasOwn(current, key) ? current[key] : undefined;
    if (isNode(next)) {
      current = next;
    } else {
      const created: Node = {};
      current[key] = created;
      current = created;
    }
  }
}

/** Lists arrive as `member.N` objects; this turns every `{ member: { "1": a, "2": b } }` into `[a, b]`. */
function normalise(value: unknown): unknown {
  if (!isNode(value)) return value;
  const node = value;
  const keys = Object.keys(node);
  if (keys.length === 1 && keys[0] === "member") {
    const members = node.member;
    if (isNode(members)) {
      return Object.entries(members)
        .filter(([index]) => /^\d+$/.test(index))
        .sort((a, b) => Number(a[0]) - Number(b[0]))
        .map(([, member]) => normalise(member));
    }
  }
  const out: Node = {};
  for (const [key, member] of Object.entries(node)) out[key] = normalise(member);
  return out;
}

/** Parses a Query-protocol parameter set into action, version and a nested input object. */
export function parseQueryRequest(params: URLSearchParams): QueryRequest {
  const root: Node = {};
  let action: string | undefined;
  let version: string | undefined;
  for (const [key, value] of params) {
    if (key === "Action") action = value;
    else if (key === "Version") version = value;
    else if (!key.startsWith("X-Amz-")) setPath(root, key.split("."), value);
  }
  const input = normalise(root);
  return { action, version, input: isNode(input) ? input : {} };
}
