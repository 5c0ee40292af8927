/** Reading an item's attestations and verifying their signatures, ready for judgeAttestedItem. */
import { type AttestationFile, readAttestations } from "./record.ts";
import { type Verification, verifyAttestation } from "./ssh.ts";

/** An attestation file with its verification (absent when the file holds no record). */
export type VerifiedAttestationFile = AttestationFile & { verification?: Verification };

/** Reads every attestation file of an item and verifies each record's signature, all in parallel. */
export async function readVerifiedAttestations(options: {
  dir: string;
  env: string;
  service: string;
  itemId: string;
  allowedSignersFile: string;
  referencePattern?: RegExp;
}): Promise<VerifiedAttestationFile[]> {
  const files = readAttestations(
    options.dir,
    options.env,
    options.service,
    options.itemId,
    options.referencePattern ? { referencePattern: options.referencePattern } : {},
  );
  return Promise.all(
    files.map(async (entry) =>
      "record" in entry
        ? { ...entry, verification: await verifyAttestation(entry.record, options.allowedSignersFile) }
        : entry,
    ),
  );
}
