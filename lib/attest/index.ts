/** Signed attestations: records, the allowed-signers file, SSH signing and verifying, and the judge. */
export {
  ALLOWED_SIGNERS_ENV,
  type AllowedSigner,
  type AllowedSigners,
  allowedSignersFile,
  DEFAULT_ALLOWED_SIGNERS,
  parseAllowedSigners,
  principalsForRole,
  readAllowedSigners,
  rolesByPrincipal,
  whoMaySign,
} from "./allowed-signers.ts";
export { attestGateAsTestSigners } from "./drill.ts";
export { SigningError, SshKeygenMissingError } from "./errors.ts";
export {
  type AcceptedAttestation,
  type AttestCommandInput,
  type AttestedItemJudgement,
  attestCommand,
  CLOCK_SKEW_TOLERANCE_MS,
  INITIATOR_ENV,
  type JudgeAttestedItemInput,
  judgeAttestedItem,
  requiredApprovalsFor,
} from "./judge.ts";
export { readVerifiedAttestations, type VerifiedAttestationFile } from "./load.ts";
export {
  type AttestationFile,
  type AttestationRecord,
  AttestationRecordSchema,
  attestationRecordPath,
  attestationRecordSchema,
  attestationsDir,
  CodeSha256Schema,
  canonicalJson,
  canonicalPayload,
  DEFAULT_REFERENCE_PATTERN,
  ItemIdSchema,
  itemAttestationsDir,
  PrincipalSchema,
  principalFileName,
  REFERENCE_PATTERN_ENV,
  readAttestationFile,
  readAttestations,
  referencePatternFrom,
  referenceProblem,
  signatureNamespace,
  type UnsignedAttestationRecord,
  writeAttestationRecord,
} from "./record.ts";
export {
  runSshKeygen,
  signAttestation,
  sshKeygenCommand,
  type Verification,
  type VerificationProblemKind,
  verifyAttestation,
  verifyAttestations,
} from "./ssh.ts";
export {
  createTestSigners,
  SANDBOX_TEST_PEOPLE,
  type TestPerson,
  type TestSigner,
  type TestSigners,
} from "./test-signers.ts";
