/**
 * STS GetCallerIdentity (Query protocol, XML): who the caller's access key belongs to. The runbooks'
 * "am I pointed at the right account" check; the answer is the account of the key, never a default.
 */
import { createHash } from "node:crypto";
import type { SandboxAccount } from "../auth.ts";

/** GetCallerIdentity's result for the account owning the access key. */
export function getCallerIdentity(account: SandboxAccount): { UserId: string; Account: string; Arn: string } {
  const suffix = createHash("sha256").update(account.accessKeyId).digest("hex").toUpperCase().slice(0, 17);
  return {
    UserId: `AIDA${suffix}`,
    Account: account.accountId,
    Arn: `arn:aws:iam::${account.accountId}:user/bbws-sandbox-${account.name}`,
  };
}
