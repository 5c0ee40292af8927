/** The sweeper of test data left by killed runs. */
export * from "./duration.ts";
export * from "./errors.ts";
export * from "./preflight.ts";
export * from "./sweep.ts";
