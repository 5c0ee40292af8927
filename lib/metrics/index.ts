export * from "./checks.ts";
export * from "./cloudwatch.ts";
export { MetricInputError } from "./errors.ts";
export * from "./query.ts";
export * from "./thresholds.ts";
export * from "./types.ts";
export * from "./window.ts";
