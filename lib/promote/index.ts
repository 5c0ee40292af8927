/**
 * Promotion as code: the deploy lock per service and environment (lock.ts, lock-record.ts), moving one
 * function's bits (copy.ts) and the whole promotion into SIT (promotion.ts).
 */

export {
  CANARY_ITEMS,
  type CanaryOutcome,
  type CanaryPlan,
  canaryPlan,
  canaryRules,
  judgeCanary,
  scaleCanaryPlan,
  startCanary,
  watchCanary,
} from "./canary.ts";
export { type ChainCheck, type ChainLink, describeChain, verifyPromotionChain } from "./chain.ts";
export {
  COPY_STEPS,
  type CopiedFunction,
  type CopyStep,
  copyFunction,
  pointAlias,
  readSourceBits,
  type SourceBits,
} from "./copy.ts";
export {
  type BreakLockRefusal,
  BreakLockRefusedError,
  LockHeldError,
  LockInputError,
  LockLostError,
  LockRecordInvalidError,
} from "./errors.ts";
export { isRefusal, isUnreachable } from "./exits.ts";
export {
  type AcquireLockOptions,
  acquireLock,
  type BreakLockOptions,
  breakLock,
  deployLockTable,
  INITIAL_STEP,
  readLock,
  readLockBreaks,
  releaseLock,
  updateLockStep,
} from "./lock.ts";
export {
  DEFAULT_LEASE_SECONDS,
  type DeployLock,
  DeployLockSchema,
  describeLock,
  describeTarget,
  formatSpan,
  isStale,
  LOCK_SORT_KEY,
  type LockBreakRecord,
  LockBreakRecordSchema,
  type LockOperation,
  LockOperationSchema,
  type LockStep,
  LockStepSchema,
  type LockTarget,
  LockTargetSchema,
  lockBreakPartition,
  lockKey,
  lockOperations,
  type ReadLock,
} from "./lock-record.ts";
export {
  type CanaryEvidence,
  gateVerdictFindings,
  type PromotionInput,
  type PromotionRecord,
  type PromotionResult,
  promote,
  resumePromotion,
  type Verification,
} from "./promotion.ts";
export { verifyRollbackSuite } from "./recovery.ts";
export {
  describeRequest,
  type PerformRollbackInput,
  parseRollbackRequest,
  performRollback,
  RollbackRefusedError,
  type RollbackRequest,
  RollbackTargetError,
  resolveRollbackTargets,
  splitForRecovery,
} from "./rollback.ts";
export { PromotionStepError } from "./step-errors.ts";
