/**
 * What the end-to-end tests of `npm run promote` (tests/e2e/promote*.test.ts) share besides ./support.ts: a
 * trusted and an untrusted verdict signing key, signed and sealed gate verdicts for the bits an environment
 * serves, what an alias serves, and the promote command against the test sandbox. Not a test file itself.
 */
import { createPrivateKey, type KeyObject } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";
import { GetAliasCommand, GetFunctionConfigurationCommand } from "@aws-sdk/client-lambda";
import { aliasName, functionNames } from "../../lib/config/index.ts";
import {
  combinedCodeSha256,
  computeReportSha256,
  envelopeFileFor,
  type FunctionUnderTest,
  generateVerdictKeyPair,
  signVerdict,
  type Verdict,
} from "../../lib/verdict/index.ts";
import { type EnvironmentId, type ServiceId, services } from "../../runbooks/index.ts";
import { verdictWith } from "../unit/verdict-fixture.ts";
import { type CommandResult, runScript, SHORT_WINDOW, type TestSandbox } from "./support.ts";

export const TENANT: ServiceId = "tenant-instance-management";

/** The fields of a verdict a test chooses; the rest is a passing run of now. */
export interface VerdictFields {
  env: EnvironmentId;
  suite: Verdict["suite"];
  functions: FunctionUnderTest[];
  service?: ServiceId;
}

/** What `promoteRun` takes besides the verdicts folder and extra flags. */
export interface PromoteRunOptions {
  /** Default the tenant service. */
  service?: ServiceId;
  /** Variables for the run (and the verification it starts), over the short SIT window. */
  env?: Record<string, string>;
  onSpawn?: (pid: number) => void;
  onStderr?: (text: string) => void;
}

export interface PromoteKit {
  /** A temporary folder of the file's tests, removed after them. */
  readonly work: string;
  /** The key whose public half every promote run trusts. */
  readonly key: KeyObject;
  /** A key no promote run trusts. */
  readonly otherKey: KeyObject;
  /** What `functionName`'s alias of `env` serves (version, app version, CodeSha256). */
  servedBy(env: EnvironmentId, functionName: string): Promise<FunctionUnderTest>;
  /** What every function of `service` serves in `env`, in the service's order. */
  servedAll(env: EnvironmentId, service?: ServiceId): Promise<FunctionUnderTest[]>;
  /** A sealed verdict file (and, unless `sign` is false, its envelope) in a fresh run folder of `dir`. */
  writeVerdict(
    dir: string,
    fields: VerdictFields,
    change?: Partial<Verdict>,
    sign?: false | KeyObject,
  ): string;
  /** The three verdicts a promotion into SIT needs, for these bits. */
  gateVerdicts(
    dir: string,
    functions: FunctionUnderTest[],
    service?: ServiceId,
  ): { smoke: string; postDeploy: string; prePromotion: string };
  /** `npm run promote -- --service <id> --to sit --sandbox` on the verdicts of `dir`, as alice@bbws.example. */
  promoteRun(dir: string, extra?: string[], options?: PromoteRunOptions): Promise<CommandResult>;
}

/** The shared helpers of a promote test file, with keys made before its tests and its folder removed after. */
export function usePromoteKit(sb: TestSandbox): PromoteKit {
  const work = mkdtempSync(join(tmpdir(), "e2e-promote-"));
  const keys = join(work, "keys");
  const other = join(work, "other-keys");
  let key: KeyObject | null = null;
  let otherKey: KeyObject | null = null;

  before(() => {
    const mine = generateVerdictKeyPair(keys);
    const theirs = generateVerdictKeyPair(other);
    key = createPrivateKey(readFileSync(mine.privateKeyFile));
    otherKey = createPrivateKey(readFileSync(theirs.privateKeyFile));
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  const made = (value: KeyObject | null): KeyObject => {
    if (value === null) throw new Error("The verdict keys are made in a before() hook: use them in a test.");
    return value;
  };

  async function servedBy(env: EnvironmentId, functionName: string): Promise<FunctionUnderTest> {
    const lambda = sb.lambda(env);
    const aliasOf = `latest-${env}`;
    const alias = await lambda.send(new GetAliasCommand({ FunctionName: functionName, Name: aliasOf }));
    const config = await lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: functionName, Qualifier: alias.FunctionVersion }),
    );
    return {
      functionName,
      alias: aliasOf,
      functionVersion: alias.FunctionVersion ?? "",
      appVersion: config.Description ?? "",
      codeSha256: config.CodeSha256 ?? "",
    };
  }

  function servedAll(env: EnvironmentId, service: ServiceId = TENANT): Promise<FunctionUnderTest[]> {
    const of = services[service];
    if (aliasName(of, env) !== `latest-${env}`)
      throw new Error(`${service} serves ${env} from another alias.`);
    return Promise.all(functionNames(of, env).map((name) => servedBy(env, name)));
  }

  function writeVerdict(
    dir: string,
    fields: VerdictFields,
    change: Partial<Verdict> = {},
    sign: false | KeyObject = made(key),
  ): string {
    const runDir = join(dir, `${fields.env}-${fields.suite}-${Math.random().toString(36).slice(2, 8)}`);
    mkdirSync(runDir, { recursive: true });
    writeFileSync(join(runDir, "junit.xml"), "<testsuites/>\n");
    const now = new Date().toISOString();
    const verdict = verdictWith({
      service: fields.service ?? TENANT,
      environment: fields.env,
      suite: fields.suite,
      functions: fields.functions,
      codeSha256: combinedCodeSha256(fields.functions),
      startedAt: now,
      endedAt: now,
      reportSha256: computeReportSha256(runDir),
      ...change,
    });
    const file = join(runDir, "verdict.json");
    writeFileSync(file, `${JSON.stringify(verdict, null, 2)}\n`);
    if (sign)
      writeFileSync(envelopeFileFor(file), `${JSON.stringify(signVerdict(verdict, sign), null, 2)}\n`);
    return file;
  }

  function gateVerdicts(dir: string, functions: FunctionUnderTest[], service: ServiceId = TENANT) {
    return {
      smoke: writeVerdict(dir, { env: "dev", suite: "smoke", functions, service }),
      postDeploy: writeVerdict(dir, { env: "dev", suite: "post-deploy", functions, service }),
      prePromotion: writeVerdict(dir, { env: "sit", suite: "pre-promotion", functions, service }),
    };
  }

  function promoteRun(
    dir: string,
    extra: string[] = [],
    options: PromoteRunOptions = {},
  ): Promise<CommandResult> {
    const { service = TENANT, env = {}, ...watch } = options;
    return runScript(
      sb,
      "scripts/promote.ts",
      [
        "--service",
        service,
        "--to",
        "sit",
        "--sandbox",
        "--verdicts",
        dir,
        "--trusted-keys",
        join(keys, "verdict-signing.pub"),
        "--initiator",
        "alice@bbws.example",
        ...extra,
      ],
      {
        env: {
          HARNESS_SIT_MONITORING_WINDOW_SECONDS: SHORT_WINDOW.windowSeconds,
          HARNESS_SIT_MONITORING_INTERVAL_SECONDS: SHORT_WINDOW.intervalSeconds,
          HARNESS_SIT_HTTP_LATENCY_BUDGET_MS: "8000",
          ...env,
        },
        ...watch,
      },
    );
  }

  return {
    work,
    get key() {
      return made(key);
    },
    get otherKey() {
      return made(otherKey);
    },
    servedBy,
    servedAll,
    writeVerdict,
    gateVerdicts,
    promoteRun,
  };
}
