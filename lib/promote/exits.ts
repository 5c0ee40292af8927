/**
 * How promote and rollback end on an error: a refusal (the lock is held, a step or target was refused; what
 * moved was put back) exits 1 with its message; an environment that could not be reached exits 3.
 */
import { classifyAwsError } from "../aws/index.ts";
import { BreakLockRefusedError, LockHeldError } from "./errors.ts";
import { RollbackTargetError } from "./rollback.ts";
import { PromotionStepError } from "./step-errors.ts";

/** An error that refuses the operation with its message. */
export function isRefusal(error: unknown): error is Error {
  return (
    error instanceof LockHeldError ||
    error instanceof PromotionStepError ||
    error instanceof BreakLockRefusedError ||
    error instanceof RollbackTargetError
  );
}

/** The account guard's "unreachable", and the names the SDK's network failures carry in their text. */
export function isUnreachable(error: unknown): boolean {
  if (classifyAwsError(error) === "unreachable") return true;
  const name = error instanceof Error ? error.name : "";
  return /Unreachable|ECONNREFUSED|TimeoutError|NetworkingError/.test(`${name} ${String(error)}`);
}
