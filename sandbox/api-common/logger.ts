/**
 * One JSON object per line, shaped like Powertools' logger output, so CloudWatch Logs filter patterns
 * (`"ERROR"`, `{ $.level = "ERROR" }`) behave as they would on AWS.
 */

type Fields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  info(message: string, fields?: Fields): void;
  error(message: string, fields?: Fields, cause?: unknown): void;
}

function describeCause(cause: unknown): Fields {
  if (cause instanceof Error) {
    return { errorName: cause.name, errorMessage: cause.message, stack: cause.stack ?? null };
  }
  return cause === undefined ? {} : { errorMessage: String(cause) };
}

/** A logger stamping every line with the service and function identity. */
export function createLogger(base: Fields): Logger {
  return {
    info(message, fields) {
      console.log(
        JSON.stringify({ level: "INFO", message, timestamp: new Date().toISOString(), ...base, ...fields }),
      );
    },
    error(message, fields, cause) {
      console.error(
        JSON.stringify({
          level: "ERROR",
          message,
          timestamp: new Date().toISOString(),
          ...base,
          ...fields,
          ...describeCause(cause),
        }),
      );
    },
  };
}
