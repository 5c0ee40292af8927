/**
 * `npm run attest -- --env <env> --service <id> --item <id> --by <principal> --role <role> --reference CHG-n`:
 * signs an attestation of a runbook item with the signer's SSH key (ssh-keygen -Y sign, namespace
 * bbws-attest-<role>), checks it against the allowed-signers file, and writes it to
 * attestations/<env>/<service>/<item>/<principal>.json. Refuses to write a record that would not verify.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import {
  type AttestationRecord,
  allowedSignersFile,
  attestationRecordPath,
  attestationsDir,
  CodeSha256Schema,
  PrincipalSchema,
  readAllowedSigners,
  referencePatternFrom,
  referenceProblem,
  SigningError,
  SshKeygenMissingError,
  signAttestation,
  type UnsignedAttestationRecord,
  verifyAttestation,
  whoMaySign,
  writeAttestationRecord,
} from "../lib/attest/index.ts";
import { AwsClients, awsTargetFor, checkAccountGuard } from "../lib/aws/index.ts";
import { bitsOf, readDeployedFunctions } from "../lib/checks/index.ts";
import { formatHelp, HELP_ENTRY, parseFlags, runWhenMain, wantsHelp } from "../lib/cli/index.ts";
import { aliasName, functionNames } from "../lib/config/index.ts";
import { suggest } from "../lib/config/messages.ts";
import { RUN_ENV, UsageError } from "../lib/run/index.ts";
import { formatDuration, parseDuration } from "../lib/sweep/index.ts";
import {
  type AttesterRole,
  allRunbookItems,
  attesterRoles,
  type EnvironmentId,
  environmentIds,
  environments,
  getRunbook,
  getRunbookItem,
  type ServiceId,
  serviceIds,
} from "../runbooks/index.ts";
import { loadCommandConfig, setupErrorExit } from "./shared/running-sandbox.ts";

const HINT = "Run `npm run attest -- --help` for every option.";

const HELP = formatHelp({
  usage: [
    "npm run attest -- --env <env> --service <id> --item <item id> --by <principal> --role <role> --reference CHG-<n> [options]",
  ],
  summary:
    "Signs an attestation of a runbook item for a promotion into --env, with the signer's SSH key (ssh-keygen -Y sign in the namespace bbws-attest-<role>), verifies it against the allowed-signers file (which binds each principal to the roles they may sign for), and writes it atomically to <dir>/<env>/<service>/<item with / as __>/<principal>.json, one file per person. The bits attested are --code-sha256, or the CodeSha256 the source environment's alias serves now (DEV for SIT, SIT for PROD; combined:<base64> over the service's functions).\n" +
    'Verify a record by hand: jq -cSj \'del(.signature)\' F | ssh-keygen -Y verify -f runbooks/allowed_signers -I "$(jq -r .principal F)" -n "bbws-attest-$(jq -r .role F)" -s <(jq -r .signature F)',
  sections: [
    {
      title: "Options",
      entries: [
        ["--env <env>", `the TARGET environment of the promotion (required): ${environmentIds.join(", ")}`],
        ["--service <id>", `the service (required): ${serviceIds.join(", ")}`],
        ["--item <id>", "the attested runbook item, e.g. tenant-deploy/7.2/prod-approval (required)"],
        [
          "--by <principal>",
          "who signs: their id in the allowed-signers file, e.g. alice@bbws.example (required)",
        ],
        ["--role <role>", "the role signed for; must be the item's attestedBy (required)"],
        [
          "--reference <ref>",
          "the change request, e.g. CHG-12345 (required; pattern ^CHG-\\d+$, or $HARNESS_REFERENCE_PATTERN)",
        ],
        ["--expires <duration>", "the attestation lapses after this long, e.g. 12h or 7d (default: never)"],
        ["--notes <text>", "free text kept (and signed) with the record"],
        [
          "--key <file>",
          "the signer's SSH private key (default $HARNESS_SIGNING_KEY; a .pub uses ssh-agent)",
        ],
        [
          "--code-sha256 <bits>",
          'the bits attested: a CodeSha256 or "combined:<base64>" (default: read from the source environment; required for dev)',
        ],
        [
          "--allowed-signers <file>",
          "the allowed-signers file (default $HARNESS_ALLOWED_SIGNERS, else runbooks/allowed_signers)",
        ],
        ["--dir <dir>", `the attestations folder (default $${RUN_ENV.attestationsDir}, else attestations/)`],
        [
          "--sandbox",
          "read the source bits from the sandbox running from .sandbox/ (or $HARNESS_SANDBOX_DIR)",
        ],
        ["--config <file>", "an override file, as verify takes it (default $HARNESS_CONFIG)"],
        ["--json", "print {file, record} as JSON on stdout (the summary goes to stderr)"],
        HELP_ENTRY,
      ],
    },
  ],
  exitCodes: [
    [0, "the attestation was signed, verified and written"],
    [1, "refused: the signed record would not verify (not that principal's key, or the role is not theirs)"],
    [2, "usage or configuration error (unknown item, wrong role, bad reference or --expires, no key)"],
    [3, "the source environment (sandbox or AWS) could not be reached to read its bits"],
  ],
});

type Args = {
  env: EnvironmentId;
  service: ServiceId;
  itemId: string;
  principal: string;
  role: AttesterRole;
  reference: string;
  expiresMs: number | null;
  notes: string | undefined;
  key: string;
  codeSha256: string | undefined;
  allowedSigners: string;
  dir: string;
  sandbox: boolean;
  config: string | undefined;
  json: boolean;
};

function itemProblems(
  itemId: string,
  env: EnvironmentId | undefined,
  service: ServiceId | undefined,
): string[] {
  const item = getRunbookItem(itemId);
  if (!item) {
    const attested = allRunbookItems().filter(
      (i) =>
        i.kind === "attested" &&
        (env === undefined || i.environments.includes(env)) &&
        (service === undefined || getRunbook(i.runbookId)?.service === service),
    );
    const hint = suggest(
      itemId,
      attested.map((i) => i.id),
    );
    return [
      `--item ${itemId}: no runbook item has this id${hint.startsWith("did you mean") ? `; ${hint}` : ""} (\`npm run runbook -- list\` lists the items)`,
    ];
  }
  const problems: string[] = [];
  if (item.kind !== "attested")
    problems.push(`--item ${itemId} is an automated item: a test verifies it, nobody attests it`);
  const runbookService = getRunbook(item.runbookId)?.service;
  if (service !== undefined && runbookService !== undefined && runbookService !== service)
    problems.push(
      `--item ${itemId} is in runbook ${item.runbookId}, which is for ${runbookService}, not ${service}`,
    );
  if (env !== undefined && !item.environments.includes(env))
    problems.push(`--item ${itemId} applies to promotions into ${item.environments.join(", ")}, not ${env}`);
  return problems;
}

function parse(argv: string[], processEnv: NodeJS.ProcessEnv): Args {
  const { text, flag } = parseFlags(
    argv,
    {
      env: { type: "string" },
      service: { type: "string" },
      item: { type: "string" },
      by: { type: "string" },
      role: { type: "string" },
      reference: { type: "string" },
      expires: { type: "string" },
      notes: { type: "string" },
      key: { type: "string" },
      "code-sha256": { type: "string" },
      "allowed-signers": { type: "string" },
      dir: { type: "string" },
      sandbox: { type: "boolean" },
      config: { type: "string" },
      json: { type: "boolean" },
    },
    (problems) => new UsageError(problems, HINT),
  );
  const problems: string[] = [];

  const env = environmentIds.find((id) => id === text("env"));
  if (!env)
    problems.push(
      `--env ${text("env") ?? "is missing"}: expected the target environment, one of ${environmentIds.join(", ")}`,
    );
  const service = serviceIds.find((id) => id === text("service"));
  if (!service)
    problems.push(`--service ${text("service") ?? "is missing"}: expected one of ${serviceIds.join(", ")}`);

  const itemId = text("item");
  if (itemId === undefined) problems.push("--item is missing: name the runbook item to attest");
  else problems.push(...itemProblems(itemId, env, service));
  const item = itemId === undefined ? undefined : getRunbookItem(itemId);

  const principal = text("by");
  if (principal === undefined)
    problems.push("--by is missing: name the signer (their id in allowed_signers)");
  else if (!PrincipalSchema.safeParse(principal).success)
    problems.push(
      `--by ${principal}: must be the signer's e-mail-like id in allowed_signers, e.g. alice@bbws.example`,
    );

  const role = attesterRoles.find((r) => r === text("role"));
  if (text("role") === undefined) problems.push("--role is missing: name the role you sign for");
  else if (!role) problems.push(`--role ${text("role")}: expected one of ${attesterRoles.join(", ")}`);
  else if (item?.kind === "attested" && item.attestedBy !== role)
    problems.push(`--role ${role}: ${item.id} is attested by ${item.attestedBy}, not ${role}`);

  let pattern: RegExp | undefined;
  try {
    pattern = referencePatternFrom(processEnv);
  } catch (error) {
    problems.push(error instanceof Error ? error.message : String(error));
  }
  const reference = text("reference");
  if (reference === undefined)
    problems.push("--reference is missing: name the change request, e.g. CHG-12345");
  else if (pattern && !pattern.test(reference))
    problems.push(`--reference ${reference}: ${referenceProblem(pattern)}`);

  let expiresMs: number | null = null;
  const expires = text("expires");
  if (expires !== undefined) {
    try {
      expiresMs = parseDuration(expires);
    } catch {
      expiresMs = 0;
    }
    if (expiresMs <= 0)
      problems.push(`--expires ${expires}: expected a duration such as 12h or 7d (greater than 0)`);
  }

  const key = text("key") ?? processEnv.HARNESS_SIGNING_KEY;
  if (key === undefined || key === "")
    problems.push("no signing key: pass your SSH private key with --key <file> or set HARNESS_SIGNING_KEY");
  else if (!existsSync(key))
    problems.push(`--key ${key}: no such file; pass your SSH private key (e.g. ~/.ssh/id_ed25519)`);

  const codeSha256 = text("code-sha256");
  if (codeSha256 !== undefined) {
    const parsed = CodeSha256Schema.safeParse(codeSha256);
    if (!parsed.success)
      problems.push(`--code-sha256 ${codeSha256}: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  } else if (env !== undefined && environments[env].promotedFrom === null) {
    problems.push(
      `--code-sha256 is missing: ${env} is promoted from no other environment, so there are no source bits to read; name the bits you attest`,
    );
  }

  const allowedSigners = resolve(allowedSignersFile(text("allowed-signers"), processEnv));
  if (!existsSync(allowedSigners))
    problems.push(
      `the allowed-signers file ${allowedSigners} does not exist: pass --allowed-signers <file> or set HARNESS_ALLOWED_SIGNERS`,
    );

  const config = text("config");
  if (problems.length > 0 || !env || !service || !itemId || !principal || !role || !reference || !key)
    throw new UsageError(problems, HINT);
  return {
    env,
    service,
    itemId,
    principal,
    role,
    reference,
    expiresMs,
    notes: text("notes"),
    key: resolve(key),
    codeSha256,
    allowedSigners,
    dir: resolve(text("dir") ?? attestationsDir(processEnv)),
    sandbox: flag("sandbox"),
    config: config === undefined ? undefined : resolve(config),
    json: flag("json"),
  };
}

/** A problem reading the source environment's bits, with the exit code it deserves. */
class SourceBitsError extends Error {
  readonly exitCode: 2 | 3;
  constructor(message: string, exitCode: 2 | 3) {
    super(message);
    this.name = "SourceBitsError";
    this.exitCode = exitCode;
  }
}

/** The CodeSha256 the source environment's alias serves now (combined over the service's functions). */
async function sourceBits(args: Args): Promise<{ codeSha256: string; from: string }> {
  const source = environments[args.env].promotedFrom;
  if (source === null) throw new SourceBitsError(`${args.env} has no source environment`, 2);
  const config = await loadCommandConfig(args, "read the bits to attest");
  const environment = config.environments[source];
  const service = config.services[args.service];
  const aws = new AwsClients(awsTargetFor(environment));
  const alias = aliasName(service, environment.id);
  try {
    const guarded = await checkAccountGuard({
      sts: aws.sts,
      lambda: aws.lambda,
      environment,
      functionNames: functionNames(service, environment.id),
      alias,
    });
    if (guarded.guard.status === "failed") {
      const wrongAccount = guarded.guard.kind === "account-mismatch" || guarded.guard.kind === "credentials";
      throw new SourceBitsError(
        `Could not read the bits to attest from ${environment.id} (${alias}): ${guarded.guard.message}. ` +
          (wrongAccount
            ? `Use credentials of account ${environment.accountId}, or pass --code-sha256.`
            : "Check that the environment is reachable (with --sandbox: that `npm run sandbox` runs), or pass --code-sha256."),
        wrongAccount ? 2 : 3,
      );
    }
    let deployed: Awaited<ReturnType<typeof readDeployedFunctions>>;
    try {
      deployed = await readDeployedFunctions(aws, environment, service);
    } catch (error) {
      throw new SourceBitsError(
        `Could not read the functions of ${service.id} in ${environment.id} (${alias}): ${error instanceof Error ? error.message : String(error)}. Pass --code-sha256 to attest named bits.`,
        3,
      );
    }
    const codeSha256 = bitsOf(deployed);
    if (codeSha256 === null || !CodeSha256Schema.safeParse(codeSha256).success)
      throw new SourceBitsError(
        `${environment.id} (${alias}) serves no readable CodeSha256 for ${service.id} (${codeSha256 ?? "no functions"}). Pass --code-sha256.`,
        3,
      );
    return { codeSha256, from: `${environment.id} alias ${alias}` };
  } finally {
    aws.destroy();
  }
}

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

async function main(argv: string[]): Promise<number> {
  if (wantsHelp(argv)) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  let args: Args;
  let bits: { codeSha256: string; from: string };
  try {
    args = parse(argv, process.env);
    bits =
      args.codeSha256 !== undefined
        ? { codeSha256: args.codeSha256, from: "--code-sha256" }
        : await sourceBits(args);
  } catch (error) {
    if (error instanceof SourceBitsError) {
      process.stderr.write(`attest: ${error.message}\n`);
      return error.exitCode;
    }
    const code = setupErrorExit(error);
    if (code === null) throw error;
    return code;
  }
  const out = args.json ? process.stderr : process.stdout;
  const now = new Date();
  const unsigned: UnsignedAttestationRecord = {
    schemaVersion: 2,
    itemId: args.itemId,
    service: args.service,
    environment: args.env,
    codeSha256: bits.codeSha256,
    principal: args.principal,
    role: args.role,
    reference: args.reference,
    attestedAt: now.toISOString(),
    ...(args.expiresMs === null ? {} : { expiresAt: new Date(now.getTime() + args.expiresMs).toISOString() }),
    ...(args.notes === undefined ? {} : { notes: args.notes }),
  };
  let record: AttestationRecord;
  try {
    record = await signAttestation(unsigned, args.key);
  } catch (error) {
    if (error instanceof SigningError || error instanceof SshKeygenMissingError) {
      process.stderr.write(`attest: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const verification = await verifyAttestation(record, args.allowedSigners);
  if (!verification.ok) {
    let who = "";
    try {
      who = ` ${whoMaySign(readAllowedSigners(args.allowedSigners), args.role, args.allowedSigners)}.`;
    } catch {
      // Unreadable after ssh-keygen read it: the refusal stands without the list.
    }
    const todo =
      verification.kind === "role-not-allowed"
        ? `Have one of them attest, or add the namespace bbws-attest-${args.role} to ${args.principal}'s line in ${args.allowedSigners} (a reviewed change).`
        : verification.kind === "wrong-key"
          ? `Sign with the private key whose public key is on ${args.principal}'s line in ${args.allowedSigners}, or name the key's owner with --by.`
          : "Check the key and the allowed-signers file, and sign again.";
    process.stderr.write(
      `attest: refused, nothing written: the signed record would not verify against ${args.allowedSigners}: ${verification.problem}.${who} ${todo}\n`,
    );
    return 1;
  }
  const replaced = existsSync(attestationRecordPath(args.dir, record));
  const file = writeAttestationRecord(args.dir, record);
  out.write(`Attestation ${replaced ? "replaced" : "written"}: ${file}\n`);
  out.write(
    `  ${record.principal} attests ${record.itemId} as ${record.role} for ${record.service} into ${record.environment} (${record.reference})\n`,
  );
  out.write(`  bits ${record.codeSha256} (from ${bits.from})\n`);
  out.write(
    `  ${record.expiresAt === undefined ? "does not expire" : `expires ${record.expiresAt} (in ${formatDuration(args.expiresMs ?? 0)})`}; verified against ${args.allowedSigners}\n`,
  );
  const required = environments[args.env].approvalsRequired;
  if (record.role === "prod-approver" && required > 1)
    out.write(
      `  ${args.env} needs ${required} such approvals by distinct prod-approvers, none of them the initiator of the promotion.\n`,
    );
  if (args.json) process.stdout.write(`${JSON.stringify({ file, record })}\n`);
  return 0;
}

runWhenMain("attest", import.meta.filename, main);
