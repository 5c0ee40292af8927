/**
 * `npm run plan -- --service <id> --to <sit|prod>`: a dry run of the pre-promotion gate. It reads the same data
 * as `verify --suite pre-promotion` without running the AWS checks: per runbook item what the gate will check,
 * which attestations are present, missing, expired or for other bits (with the exact `npm run attest` line
 * for each missing one), the service CI's report files, the source's verdict files and the maintenance window.
 * Exit 0 when the gate could pass now, 1 when something a person must supply is missing.
 */
import { principalsForRole, readAllowedSigners } from "../lib/attest/index.ts";
import { AwsClients, awsTargetFor } from "../lib/aws/index.ts";
import {
  type AttestedItemDecision,
  bitsOf,
  checkCiEvidence,
  decideAttestedItem,
  EMERGENCY_CHANGE_ITEM,
  type Finding,
  maintenanceWindowFinding,
  PRE_PROMOTION_ITEMS,
  readDeployedFunctions,
  readVerdictFiles,
  sourceVerdictFindings,
} from "../lib/checks/index.ts";
import { formatHelp, HELP_ENTRY, parseFlags, runWhenMain, wantsHelp } from "../lib/cli/index.ts";
import { gateSettings } from "../lib/config/index.ts";
import { RUN_ENV, UsageError } from "../lib/run/index.ts";
import {
  allRunbookItems,
  type EnvironmentId,
  environmentIds,
  getRunbook,
  getRunbookItem,
  type LocatedRunbookItem,
  type ServiceId,
  serviceIds,
} from "../runbooks/index.ts";
import { loadCommandConfig, setupErrorExit } from "./shared/running-sandbox.ts";

const HINT = "Run `npm run plan -- --help` for every option.";

const HELP = formatHelp({
  usage: ["npm run plan -- --service <id> --to <dev|sit|prod> [options]"],
  summary:
    "A dry run of the pre-promotion gate for a promotion into --to: per runbook item, what `verify --suite pre-promotion` will check against AWS, which attestations are present, missing, expired or for other bits (with the `npm run attest` line for each missing one), the service CI's report files, the source environment's verdict files and the maintenance window. Reads the bits being promoted from the source environment's alias (DEV for SIT, SIT for PROD); runs no AWS check itself.",
  sections: [
    {
      title: "Options",
      entries: [
        ["--service <id>", `the service (required): ${serviceIds.join(", ")}`],
        ["--to <env>", `the target environment (required): ${environmentIds.join(", ")}`],
        [
          "--code-sha256 <bits>",
          "the bits being promoted (required for dev, which has no source environment)",
        ],
        ["--verdicts <dir>", `the source's verdict files (default reports/runs/; $${RUN_ENV.verdictsDir})`],

        [
          "--ci-evidence <dir>",
          `the service CI's report files (default reports/ci-evidence/<service>/; $${RUN_ENV.ciEvidenceDir})`,
        ],
        ["--attestations <dir>", `signed attestations (default attestations/; $${RUN_ENV.attestationsDir})`],
        [
          "--allowed-signers <file>",
          `who may sign for which role (default runbooks/allowed_signers; $${RUN_ENV.allowedSigners})`,
        ],
        [
          "--initiator <principal>",
          `who starts the promotion (their approval does not count; $${RUN_ENV.initiator})`,
        ],
        ["--maintenance-window-confirmed", "the workflow's maintenance_window=true"],
        ["--sandbox", "read the bits from the sandbox running from .sandbox/ (or $HARNESS_SANDBOX_DIR)"],
        ["--config <file>", "an override file, as verify takes it (default $HARNESS_CONFIG)"],
        ["--json", "print the plan as JSON on stdout"],
        HELP_ENTRY,
      ],
    },
    {
      title: "Variables",
      entries: [
        [
          RUN_ENV.trustedVerdictKeys,
          "a PEM public key file, or a folder of .pub/.pem files: each source verdict must carry a verdict.dsse.json envelope signed by one of them and matching it (unset: signatures are not checked; with --sandbox: the sandbox's key unless set)",
        ],
      ],
    },
  ],
  exitCodes: [
    [
      0,
      "ready: every attestation, report file and verdict the gate needs is there (the AWS checks still run in the gate)",
    ],
    [1, "not ready: something a person must supply is missing, expired, for other bits or failing"],
    [2, "usage or configuration error"],
    [3, "the source environment (sandbox or AWS) could not be reached to read its bits"],
  ],
});

type Args = {
  service: ServiceId;
  to: EnvironmentId;
  codeSha256: string | undefined;
  gateEnv: Record<string, string>;
  sandbox: boolean;
  config: string | undefined;
  json: boolean;
};

function parsePlanArgs(argv: string[]): Args {
  const { text, flag } = parseFlags(
    argv,
    {
      service: { type: "string" },
      to: { type: "string" },
      "code-sha256": { type: "string" },
      verdicts: { type: "string" },
      "ci-evidence": { type: "string" },
      attestations: { type: "string" },
      "allowed-signers": { type: "string" },
      initiator: { type: "string" },
      "maintenance-window-confirmed": { type: "boolean" },
      sandbox: { type: "boolean" },
      config: { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    (problems) => new UsageError(problems, HINT),
  );
  const problems: string[] = [];
  const service = serviceIds.find((id) => id === text("service"));
  if (!service)
    problems.push(`--service ${text("service") ?? "is missing"}: expected one of ${serviceIds.join(", ")}`);
  const to = environmentIds.find((id) => id === text("to"));
  if (!to) problems.push(`--to ${text("to") ?? "is missing"}: expected one of ${environmentIds.join(", ")}`);
  const gateEnv: Record<string, string> = {};
  const flags = [
    ["verdicts", RUN_ENV.verdictsDir],
    ["ci-evidence", RUN_ENV.ciEvidenceDir],
    ["attestations", RUN_ENV.attestationsDir],
    ["allowed-signers", RUN_ENV.allowedSigners],
    ["initiator", RUN_ENV.initiator],
  ] as const;
  for (const [flag, variable] of flags) {
    const value = text(flag);
    if (value !== undefined) gateEnv[variable] = value;
  }
  if (flag("maintenance-window-confirmed")) gateEnv[RUN_ENV.maintenanceWindowConfirmed] = "true";
  if (problems.length > 0 || !service || !to) throw new UsageError(problems, HINT);
  return {
    service,
    to,
    codeSha256: text("code-sha256"),
    gateEnv,
    sandbox: flag("sandbox"),
    config: text("config"),
    json: flag("json"),
  };
}

/** The items the source's verdict files decide (the suite's verdict test verifies the same list). */
const sourceVerdictItems: ReadonlySet<string> = new Set(PRE_PROMOTION_ITEMS.sourceVerdicts);

/** One line of the plan. */
interface PlanLine {
  readonly id: string;
  readonly title: string;
  /** auto: the gate checks it against AWS; ready / missing: what a person or the CI supplies. */
  readonly state: "auto" | "ready" | "missing";
  readonly detail: string;
  readonly commands: readonly string[];
}

function gateItems(service: ServiceId, env: EnvironmentId): LocatedRunbookItem[] {
  return allRunbookItems().filter(
    (item) =>
      item.suite === "pre-promotion" &&
      item.environments.includes(env) &&
      getRunbook(item.runbookId)?.service === service,
  );
}

function fromFinding(item: LocatedRunbookItem, finding: Finding, commands: string[] = []): PlanLine {
  return {
    id: item.id,
    title: item.title,
    state: finding.status === "passed" ? "ready" : "missing",
    detail: finding.reason,
    commands,
  };
}

function attestationLine(
  item: LocatedRunbookItem,
  decision: AttestedItemDecision,
  signers: string[],
): PlanLine {
  if (decision.status === "attested") {
    return {
      id: item.id,
      title: item.title,
      state: "ready",
      detail: `attested by ${decision.attestations.map((a) => `${a.by} (${a.role}, ${a.reference}, ${a.at})`).join("; ")}`,
      commands: [],
    };
  }
  const who = signers.length > 0 ? ` May sign: ${signers.join(", ")}.` : "";
  return {
    id: item.id,
    title: item.title,
    state: "missing",
    detail: `${decision.reason}${who}`,
    commands: [decision.command],
  };
}

async function main(argv: string[]): Promise<number> {
  if (wantsHelp(argv)) {
    process.stdout.write(HELP);
    return 0;
  }
  let args: Args;
  try {
    args = parsePlanArgs(argv);
    Object.assign(process.env, args.gateEnv);
  } catch (error) {
    return setupErrorExit(error) ?? Promise.reject(error);
  }
  let config: Awaited<ReturnType<typeof loadCommandConfig>>;
  try {
    config = await loadCommandConfig({ config: args.config, sandbox: args.sandbox }, "plan");
  } catch (error) {
    return setupErrorExit(error) ?? Promise.reject(error);
  }
  // loadCommandConfig replaces the variables with the sandbox's: the gate's own come back on top.
  Object.assign(process.env, args.gateEnv);
  const environment = config.environments[args.to];
  const service = config.services[args.service];
  const settings = gateSettings(service.id);
  const sourceId = environment.promotedFrom;
  const source = sourceId === null ? null : config.environments[sourceId];
  if (source === null && args.codeSha256 === undefined) {
    process.stderr.write(
      `plan: ${environment.displayName} has no source environment to read the bits from; name them with --code-sha256 <bits>.\n${HINT}\n`,
    );
    return 2;
  }

  let codeSha256: string | null = args.codeSha256 ?? null;
  if (source !== null && args.codeSha256 === undefined) {
    const aws = new AwsClients(awsTargetFor(source));
    try {
      codeSha256 = bitsOf(await readDeployedFunctions(aws, source, service));
    } catch (error) {
      process.stderr.write(
        `plan: could not read the bits ${source.displayName} serves (${error instanceof Error ? error.message : String(error)}). Check the credentials and endpoint of ${source.displayName}, then run the plan again.\n`,
      );
      return 3;
    } finally {
      aws.destroy();
    }
  }

  let signers: ReturnType<typeof readAllowedSigners> | null = null;
  try {
    signers = readAllowedSigners(settings.allowedSigners);
  } catch {
    signers = null;
  }
  const now = new Date();
  const verdictFiles = readVerdictFiles(settings.verdictsDir);
  const lines: PlanLine[] = [];
  for (const item of gateItems(service.id, environment.id)) {
    if (item.kind === "attested") {
      const decision = await decideAttestedItem({
        settings,
        environment,
        serviceId: service.id,
        item,
        codeSha256,
        now,
      });
      const may = signers && item.attestedBy ? principalsForRole(signers, item.attestedBy) : [];
      lines.push(attestationLine(item, decision, may));
    } else if (item.ciEvidence !== undefined) {
      const findings = item.ciEvidence.map((kind) =>
        checkCiEvidence(settings.ciEvidenceDir, kind, item.thresholds),
      );
      const bad = findings.filter((f) => f.status !== "passed");
      lines.push({
        id: item.id,
        title: item.title,
        state: bad.length === 0 ? "ready" : "missing",
        detail: (bad.length === 0 ? findings : bad).map((f) => f.reason).join(" "),
        commands: [],
      });
    } else if (sourceVerdictItems.has(item.id)) {
      if (source === null) continue;
      const findings = sourceVerdictFindings({
        serviceId: service.id,
        source,
        codeSha256,
        verdictsDir: settings.verdictsDir,
        trustedVerdictKeys: settings.trustedVerdictKeys,
        now,
        files: verdictFiles,
      });
      const bad = findings.filter((f) => f.status !== "passed");
      const service_ = service.id === "access-management" ? " --service access-management" : "";
      lines.push({
        ...fromFinding(item, bad[0] ?? findings[0] ?? { status: "passed", reason: "", evidence: {} }),
        detail: (bad.length === 0 ? findings : bad).map((f) => f.reason).join(" "),
        commands: bad.map((f) => {
          const suite = String(f.evidence.suite ?? "smoke");
          return `npm run verify -- --env ${source.id} --suite ${suite}${service_}`;
        }),
      });
    } else if (EMERGENCY_CHANGE_ITEM[item.id] !== undefined) {
      const emergencyItem = getRunbookItem(EMERGENCY_CHANGE_ITEM[item.id] ?? "");
      if (!emergencyItem) continue;
      const { finding, emergencyCommand } = await maintenanceWindowFinding({
        settings,
        environment,
        serviceId: service.id,
        emergencyItem,
        codeSha256,
        now,
      });
      lines.push(fromFinding(item, finding, finding.status === "passed" ? [] : [emergencyCommand]));
    } else {
      lines.push({
        id: item.id,
        title: item.title,
        state: "auto",
        detail: `checked by \`npm run verify -- --env ${environment.id} --suite pre-promotion${service.id === "access-management" ? " --service access-management" : ""}\``,
        commands: [],
      });
    }
  }
  const missing = lines.filter((line) => line.state === "missing");
  const ready = missing.length === 0;
  if (args.json) {
    process.stdout.write(
      `${JSON.stringify({ service: service.id, to: environment.id, from: source?.id ?? null, codeSha256, ready, lines }, null, 2)}\n`,
    );
    return ready ? 0 : 1;
  }
  const out: string[] = [
    `Plan: promote ${service.id} into ${environment.displayName}${source ? ` from ${source.displayName}` : ""}, bits ${codeSha256 ?? "unknown"}`,
    "",
  ];
  const mark = { auto: "auto   ", ready: "ready  ", missing: "MISSING" } as const;
  for (const line of lines) {
    out.push(`${mark[line.state]} ${line.id}  ${line.title}`);
    if (line.state !== "auto") out.push(`        ${line.detail}`);
    for (const command of line.commands) out.push(`        run: ${command}`);
  }
  const auto = lines.filter((line) => line.state === "auto").length;
  out.push(
    "",
    ready
      ? `READY: nothing a person must supply is missing; the gate still checks ${auto} item(s) against AWS.`
      : `NOT READY: ${missing.length} item(s) missing; ${auto} more are checked by the gate against AWS.`,
  );
  process.stdout.write(`${out.join("\n")}\n`);
  return ready ? 0 : 1;
}

runWhenMain("plan", import.meta.filename, main);
