/**
 * CloudWatch Logs filter patterns: plain terms (all must appear, case-sensitive), quoted phrases,
 * `?term` alternatives, `-term` exclusions, `%regex%`, and JSON patterns such as
 * `{ $.level = "ERROR" && $.latency > 100 }`. Space-delimited patterns (`[ip, user, ...]`) are refused
 * with an error naming them rather than silently matching nothing.
 */
import { AwsServiceError } from "../errors.ts";

export type LogMatcher = (message: string) => boolean;

function invalid(pattern: string, why: string): AwsServiceError {
  return new AwsServiceError("InvalidParameterException", `Invalid filter pattern '${pattern}': ${why}`);
}

interface TextTerm {
  kind: "all" | "any" | "none";
  test: (message: string) => boolean;
}

function compileRegex(pattern: string, body: string): RegExp {
  try {
    return new RegExp(body);
  } catch (error) {
    throw invalid(pattern, `the regular expression %${body}% does not compile (${String(error)}).`);
  }
}

function compileText(pattern: string): LogMatcher {
  const terms: TextTerm[] = [];
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i];
    if (ch === " " || ch === "\t") {
      i++;
      continue;
    }
    let kind: TextTerm["kind"] = "all";
    if (ch === "?" || ch === "-") {
      kind = ch === "?" ? "any" : "none";
      i++;
    }
    let text = "";
    let test: (message: string) => boolean;
    if (pattern[i] === '"') {
      i++;
      let closed = false;
      while (i < pattern.length) {
        const c = pattern[i];
        if (c === "\\" && i + 1 < pattern.length) {
          text += pattern[i + 1];
          i += 2;
          continue;
        }
        if (c === '"') {
          closed = true;
          i++;
          break;
        }
        text += c;
        i++;
      }
      if (!closed) throw invalid(pattern, "a quoted term is not closed with a double quote.");
      const phrase = text;
      test = (message) => message.includes(phrase);
    } else if (pattern[i] === "%") {
      const end = pattern.indexOf("%", i + 1);
      if (end === -1) throw invalid(pattern, "a regular expression is not closed with %.");
      const regex = compileRegex(pattern, pattern.slice(i + 1, end));
      i = end + 1;
      test = (message) => regex.test(message);
    } else {
      while (i < pattern.length && pattern[i] !== " " && pattern[i] !== "\t") {
        text += pattern[i];
        i++;
      }
      if (text === "") throw invalid(pattern, `'${ch}' must be followed by a term.`);
      const term = text;
      test = (message) => message.includes(term);
    }
    terms.push({ kind, test });
  }
  const all = terms.filter((term) => term.kind === "all");
  const any = terms.filter((term) => term.kind === "any");
  const none = terms.filter((term) => term.kind === "none");
  return (message) =>
    all.every((term) => term.test(message)) &&
    (any.length === 0 || any.some((term) => term.test(message))) &&
    !none.some((term) => term.test(message));
}

// ---- JSON patterns ----

type JsonValue = string | number | boolean | null;
type JsonNode =
  | { kind: "and" | "or"; left: JsonNode; right: JsonNode }
  | { kind: "compare"; path: Array<string | number>; op: string; value: JsonValue | RegExp }
  | { kind: "exists"; path: Array<string | number>; negate: boolean };

class JsonPatternParser {
  readonly #source: string;
  #pos = 0;

  constructor(source: string) {
    this.#source = source;
  }

  #skip(): void {
    while (/\s/.test(this.#source[this.#pos] ?? "")) this.#pos++;
  }

  #peek(text: string): boolean {
    this.#skip();
    return this.#source.startsWith(text, this.#pos);
  }

  #expect(text: string): void {
    if (!this.#peek(text)) throw new Error(`expected '${text}' at position ${this.#pos}`);
    this.#pos += text.length;
  }

  parse(): JsonNode {
    this.#expect("{");
    const node = this.#or();
    this.#expect("}");
    this.#skip();
    if (this.#pos !== this.#source.length) throw new Error(`unexpected text at position ${this.#pos}`);
    return node;
  }

  #or(): JsonNode {
    let left = this.#and();
    while (this.#peek("||")) {
      this.#pos += 2;
      left = { kind: "or", left, right: this.#and() };
    }
    return left;
  }

  #and(): JsonNode {
    let left = this.#primary();
    while (this.#peek("&&")) {
      this.#pos += 2;
      left = { kind: "and", left, right: this.#primary() };
    }
    return left;
  }

  #primary(): JsonNode {
    if (this.#peek("(")) {
      this.#pos++;
      const node = this.#or();
      this.#expect(")");
      return node;
    }
    const path = this.#selector();
    this.#skip();
    const rest = this.#source.slice(this.#pos);
    const existence = /^(NOT EXISTS|EXISTS|IS NULL|IS TRUE|IS FALSE)/.exec(rest);
    if (existence?.[1]) {
      this.#pos += existence[1].length;
      switch (existence[1]) {
        case "NOT EXISTS":
          return { kind: "exists", path, negate: true };
        case "EXISTS":
          return { kind: "exists", path, negate: false };
        case "IS NULL":
          return { kind: "compare", path, op: "=", value: null };
        default:
          return { kind: "compare", path, op: "=", value: existence[1] === "IS TRUE" };
      }
    }
    const op = /^(!=|>=|<=|=|>|<)/.exec(rest)?.[1];
    if (!op) throw new Error(`expected a comparison operator at position ${this.#pos}`);
    this.#pos += op.length;
    return { kind: "compare", path, op, value: this.#value() };
  }

  #selector(): Array<string | number> {
    this.#expect("$");
    const path: Array<string | number> = [];
    for (;;) {
      const rest = this.#source.slice(this.#pos);
      const member = /^\.([A-Za-z0-9_$@-]+)/.exec(rest);
      if (member?.[1]) {
        path.push(member[1]);
        this.#pos += member[0].length;
        continue;
      }
      const index = /^\[(\d+)\]/.exec(rest);
      if (index?.[1]) {
        path.push(Number(index[1]));
        this.#pos += index[0].length;
        continue;
      }
      break;
    }
    if (path.length === 0) throw new Error("a selector must name a member, e.g. $.level");
    return path;
  }

  #value(): JsonValue | RegExp {
    this.#skip();
    const rest = this.#source.slice(this.#pos);
    const quoted = /^"((?:[^"\\]|\\.)*)"/.exec(rest);
    if (quoted) {
      this.#pos += quoted[0].length;
      const text = (quoted[1] ?? "").replace(/\\(.)/g, "$1");
      return text.includes("*") ? wildcard(text) : text;
    }
    const regex = /^%([^%]*)%/.exec(rest);
    if (regex) {
      this.#pos += regex[0].length;
      return new RegExp(regex[1] ?? "");
    }
    const number = /^-?\d+(\.\d+)?([eE][-+]?\d+)?/.exec(rest);
    if (number) {
      this.#pos += number[0].length;
      return Number(number[0]);
    }
    const word = /^(true|false|null|[A-Za-z0-9_.*-]+)/.exec(rest);
    if (word?.[1]) {
      this.#pos += word[1].length;
      if (word[1] === "true") return true;
      if (word[1] === "false") return false;
      if (word[1] === "null") return null;
      return word[1].includes("*") ? wildcard(word[1]) : word[1];
    }
    throw new Error(`expected a value at position ${this.#pos}`);
  }
}

function wildcard(text: string): RegExp {
  const escaped = text.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*");
  return new RegExp(`^${escaped}$`);
}

function select(root: unknown, path: ReadonlyArray<string | number>): { found: boolean; value: unknown } {
  let current: unknown = root;
  for (const step of path) {
    if (current === null || typeof current !== "object") return { found: false, value: undefined };
    const next: unknown = Reflect.get(current, step);
    if (next === undefined) return { found: false, value: undefined };
    current = next;
  }
  return { found: true, value: current };
}

function evaluate(node: JsonNode, document: unknown): boolean {
  switch (node.kind) {
    case "and":
      return evaluate(node.left, document) && evaluate(node.right, document);
    case "or":
      return evaluate(node.left, document) || evaluate(node.right, document);
    case "exists": {
      const { found } = select(document, node.path);
      return node.negate ? !found : found;
    }
    case "compare": {
      const { found, value } = select(document, node.path);
      if (!found) return false;
      const expected = node.value;
      if (expected instanceof RegExp) {
        const matched = typeof value === "string" && expected.test(value);
        return node.op === "!=" ? !matched : node.op === "=" && matched;
      }
      if (typeof expected === "number") {
        if (typeof value !== "number") return false;
        switch (node.op) {
          case "=":
            return value === expected;
          case "!=":
            return value !== expected;
          case ">":
            return value > expected;
          case "<":
            return value < expected;
          case ">=":
            return value >= expected;
          default:
            return value <= expected;
        }
      }
      const equal = value === expected || (typeof value !== "object" && String(value) === String(expected));
      return node.op === "!=" ? !equal : node.op === "=" && equal;
    }
  }
}

/** Compiles a filter pattern; throws InvalidParameterException for malformed or unsupported ones. */
export function compileFilterPattern(pattern: string | undefined): LogMatcher {
  const trimmed = (pattern ?? "").trim();
  if (trimmed === "") return () => true;
  if (trimmed.startsWith("{")) {
    let node: JsonNode;
    try {
      node = new JsonPatternParser(trimmed).parse();
    } catch (error) {
      throw invalid(pattern ?? "", error instanceof Error ? `${error.message}.` : "malformed JSON pattern.");
    }
    return (message) => {
      const start = message.indexOf("{");
      if (start === -1) return false;
      try {
        return evaluate(node, JSON.parse(message.slice(start)));
      } catch {
        return false;
      }
    };
  }
  if (trimmed.startsWith("[")) {
    throw invalid(
      pattern ?? "",
      "space-delimited patterns ([field, ...]) are not supported by the sandbox; use terms, quoted phrases or a JSON pattern.",
    );
  }
  return compileText(trimmed);
}
