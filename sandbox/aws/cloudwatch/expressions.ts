/**
 * The subset of CloudWatch metric math GetMetricData accepts here: + - * / and parentheses over query
 * ids and numbers, unary minus, ABS(x) and FILL(x, value). Series combine point-wise on shared
 * timestamps, as in CloudWatch; a division by zero yields no point.
 */
import { AwsServiceError } from "../errors.ts";

export type TimeSeries = Map<number, number>;
type Value = TimeSeries | number;

function invalid(expression: string, why: string): AwsServiceError {
  return new AwsServiceError("ValidationError", `Invalid metric math expression '${expression}': ${why}`, {
    queryCode: "ValidationError",
  });
}

type Token = { kind: "num"; value: number } | { kind: "id"; value: string } | { kind: "op"; value: string };

function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expression.length) {
    const rest = expression.slice(i);
    const space = /^\s+/.exec(rest);
    if (space) {
      i += space[0].length;
      continue;
    }
    const number = /^\d+(\.\d+)?([eE][-+]?\d+)?/.exec(rest);
    if (number) {
      tokens.push({ kind: "num", value: Number(number[0]) });
      i += number[0].length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (id) {
      tokens.push({ kind: "id", value: id[0] });
      i += id[0].length;
      continue;
    }
    const ch = expression[i] ?? "";
    if ("+-*/(),".includes(ch)) {
      tokens.push({ kind: "op", value: ch });
      i++;
      continue;
    }
    throw invalid(expression, `unexpected character '${ch}' at position ${i}.`);
  }
  return tokens;
}

function combine(left: Value, right: Value, apply: (a: number, b: number) => number): Value {
  if (typeof left === "number" && typeof right === "number") return apply(left, right);
  const out: TimeSeries = new Map();
  if (typeof left === "number" && typeof right !== "number") {
    for (const [time, value] of right) out.set(time, apply(left, value));
  } else if (typeof left !== "number" && typeof right === "number") {
    for (const [time, value] of left) out.set(time, apply(value, right));
  } else if (typeof left !== "number" && typeof right !== "number") {
    for (const [time, value] of left) {
      const other = right.get(time);
      if (other !== undefined) out.set(time, apply(value, other));
    }
  }
  for (const [time, value] of out) if (!Number.isFinite(value)) out.delete(time);
  return out;
}

/** Evaluates `expression` against the series of other queries (`ids`) on the timestamps of `grid`. */
export function evaluateExpression(
  expression: string,
  ids: ReadonlyMap<string, TimeSeries>,
  grid: readonly number[],
): TimeSeries {
  const tokens = tokenize(expression);
  let pos = 0;
  const peek = () => tokens[pos];
  const take = () => tokens[pos++];
  const expectOp = (op: string) => {
    const token = take();
    if (token?.kind !== "op" || token.value !== op) throw invalid(expression, `expected '${op}'.`);
  };

  function parseExpr(): Value {
    let left = parseTerm();
    for (
      let token = peek();
      token?.kind === "op" && (token.value === "+" || token.value === "-");
      token = peek()
    ) {
      take();
      const right = parseTerm();
      left =
        token.value === "+" ? combine(left, right, (a, b) => a + b) : combine(left, right, (a, b) => a - b);
    }
    return left;
  }

  function parseTerm(): Value {
    let left = parseFactor();
    for (
      let token = peek();
      token?.kind === "op" && (token.value === "*" || token.value === "/");
      token = peek()
    ) {
      take();
      const right = parseFactor();
      left =
        token.value === "*" ? combine(left, right, (a, b) => a * b) : combine(left, right, (a, b) => a / b);
    }
    return left;
  }

  function parseFactor(): Value {
    const token = take();
    if (!token) throw invalid(expression, "the expression ends too early.");
    if (token.kind === "num") return token.value;
    if (token.kind === "op" && token.value === "-") return combine(parseFactor(), -1, (a, b) => a * b);
    if (token.kind === "op" && token.value === "(") {
      const inner = parseExpr();
      expectOp(")");
      return inner;
    }
    if (token.kind === "id") {
      const next = peek();
      if (next?.kind === "op" && next.value === "(") {
        take();
        return parseFunction(token.value.toUpperCase());
      }
      const series = ids.get(token.value);
      if (!series)
        throw invalid(expression, `'${token.value}' is not the Id of another query in this request.`);
      return series;
    }
    throw invalid(expression, `unexpected '${token.value}'.`);
  }

  function parseFunction(name: string): Value {
    if (name !== "ABS" && name !== "FILL") {
      throw invalid(
        expression,
        `the function ${name} is not supported by the sandbox (supported: ABS, FILL).`,
      );
    }
    const first = parseExpr();
    if (name === "ABS") {
      expectOp(")");
      return combine(first, 0, (a) => Math.abs(a));
    }
    // FILL(series, value): every grid timestamp gets a point, missing ones the fill value.
    expectOp(",");
    const fill = parseExpr();
    expectOp(")");
    if (typeof fill !== "number") throw invalid(expression, "FILL's second argument must be a number.");
    if (typeof first === "number") return first;
    const out: TimeSeries = new Map();
    for (const time of grid) out.set(time, first.get(time) ?? fill);
    return out;
  }

  const result = parseExpr();
  if (pos !== tokens.length) throw invalid(expression, "unexpected text after the end of the expression.");
  if (typeof result === "number") return new Map(grid.map((time) => [time, result]));
  return result;
}
