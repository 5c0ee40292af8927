/**
 * Log events of the sandbox's functions as their execution environments write them (the runtime in
 * aws/lambda/runtime.ts and api-common/logger.ts): `START`, tab-separated handler lines whose message is
 * the handler logger's JSON, `ERROR Invoke Error` for a failed invocation, `END`, `REPORT`. The seeded
 * estate's history and the seed control route write the same lines, so a filter pattern that finds a
 * live invocation's line finds a seeded one too.
 */
import { createHash, randomUUID } from "node:crypto";
import type { ServiceName } from "./manifest.ts";

export interface LogEvent {
  timestamp: number;
  message: string;
}

/** Log levels the runtime tags handler lines with (console.log/info INFO, warn WARN, error ERROR, ...). */
export const logLevels = ["INFO", "WARN", "ERROR", "DEBUG", "TRACE"] as const;
export type LogLevel = (typeof logLevels)[number];

/** `/aws/lambda/{function}`, where Lambda writes. */
export function logGroupOf(functionName: string): string {
  return `/aws/lambda/${functionName}`;
}

/**
 * A stream named as Lambda names an execution environment's (`YYYY/MM/DD/[version]hex`), for the day
 * of `timestamp`; the hex is derived from `key`, so writing the same key the same day appends to it.
 */
export function logStreamOf(version: string, timestamp: number, key: string): string {
  const iso = new Date(timestamp).toISOString();
  const day = `${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}`;
  const hex = createHash("sha256").update(`${key}\u0000${day}`).digest("hex").slice(0, 32);
  return `${day}/[${version}]${hex}`;
}

/** A handler line: `{iso}\t{requestId}\t{level}\t{"level","message","timestamp","service",...fields}`. */
export function handlerLine(options: {
  timestamp: number;
  requestId: string;
  level: LogLevel;
  message: string;
  service: ServiceName;
  fields?: Record<string, string | number | boolean | null>;
}): LogEvent {
  const iso = new Date(options.timestamp).toISOString();
  const json = JSON.stringify({
    level: options.level,
    message: options.message,
    timestamp: iso,
    service: options.service,
    ...options.fields,
  });
  return {
    timestamp: options.timestamp,
    message: `${iso}\t${options.requestId}\t${options.level}\t${json}`,
  };
}

/**
 * The events of one whole invocation starting at `start`: START, the handler's request line (or, for a
 * failed invocation, the runtime's `ERROR Invoke Error` line), END and REPORT.
 */
export function invocationEvents(options: {
  start: number;
  version: string;
  service: ServiceName;
  durationMs: number;
  memorySize?: number;
  path?: string;
  error?: { errorType: string; errorMessage: string };
  requestId?: string;
}): LogEvent[] {
  const requestId = options.requestId ?? randomUUID();
  const { start, durationMs } = options;
  const end = start + Math.ceil(durationMs);
  const middle: LogEvent = options.error
    ? {
        timestamp: end,
        message: `${new Date(end).toISOString()}\t${requestId}\tERROR\tInvoke Error \t${JSON.stringify({
          errorType: options.error.errorType,
          errorMessage: options.error.errorMessage,
          stack: [`${options.error.errorType}: ${options.error.errorMessage}`],
        })}`,
      }
    : handlerLine({
        timestamp: end,
        requestId,
        level: "INFO",
        message: "request",
        service: options.service,
        fields: {
          method: "GET",
          path: options.path ?? "/health",
          status: 200,
          durationMs: Math.round(durationMs * 100) / 100,
          requestId,
        },
      });
  return [
    { timestamp: start, message: `START RequestId: ${requestId} Version: ${options.version}` },
    middle,
    { timestamp: end, message: `END RequestId: ${requestId}` },
    {
      timestamp: end,
      message: [
        `REPORT RequestId: ${requestId}`,
        `Duration: ${durationMs.toFixed(2)} ms`,
        `Billed Duration: ${Math.max(1, Math.ceil(durationMs))} ms`,
        `Memory Size: ${options.memorySize ?? 256} MB`,
        "Max Memory Used: 78 MB",
      ].join("\t"),
    },
  ];
}
