/**
 * Crash safety of `npm run promote -- --service <id> --to sit --sandbox`: a promotion SIGKILLed at every one
 * of its steps (per function: backup-alias, download-package, update-code, publish-version, verify-code-sha;
 * then move-alias per function, record-deployment, post-deploy-verification) leaves SIT serving, function by
 * function, either what it served before or DEV's verified bits (only the old ones before any alias moved),
 * the record naming what it serves, and the deploy lock naming the step reached; a plain promote then
 * refuses, naming the holder and the step. The tenant service (one function) is killed at each of its 8 steps;
 * the access service (three functions) at each copy step of its last function, at each of its 3 alias moves
 * (after one, SIT serves DEV's bits on the first function and the old ones on the others) and at the last two.
 *
 * The kills are chained to keep the file short: each next run breaks the lock the killed one left
 * (`--break-lock --reason ... --force`, which must report the step it found) and is itself killed at the next
 * step; after the last kill one run resumes to the end: SIT serves DEV's bits, recorded, with the backup alias
 * on the old version, every break on record and no lock left.
 *
 * Where a run dies: the moment the sandbox receives the step's own request (CreateAlias, the package download,
 * UpdateFunctionCode, PublishVersion, UpdateAlias, the deployment record, the verification suite's first call),
 * so the step's lock update is stored and its write is in flight; verify-code-sha, a check without a request,
 * dies as its lock update arrives. A kill on the step's stderr line would race the run's next lock update
 * where that line comes last (move-alias, verify-code-sha), and record-deployment logs none. The sandbox's
 * server lives in this process, so Node's `http.server.request.start` channel shows each request before the
 * sandbox handles it.
 */
import assert from "node:assert/strict";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { IncomingMessage } from "node:http";
import { join } from "node:path";
import { before, describe, type TestContext, test } from "node:test";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetAliasCommand, ListAliasesCommand } from "@aws-sdk/client-lambda";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { z } from "zod";
import {
  createTestSigners,
  signAttestation,
  type TestSigners,
  writeAttestationRecord,
} from "../../lib/attest/index.ts";
import { deploymentsTable, functionNames, ssmParameter } from "../../lib/config/index.ts";
import {
  COPY_STEPS,
  type CopyStep,
  deployLockTable,
  type ReadLock,
  readLock,
  readLockBreaks,
} from "../../lib/promote/index.ts";
import { combinedCodeSha256, type FunctionUnderTest } from "../../lib/verdict/index.ts";
import { allRunbookItems, getRunbook, type ServiceId, services } from "../../runbooks/index.ts";
import { healthAndTenants, invokeRoute, steadyTraffic } from "./post-deploy-support.ts";
import { TENANT, usePromoteKit } from "./promote-support.ts";
import { type CommandResult, type TestSandbox, useTestSandbox } from "./support.ts";

const ACCESS: ServiceId = "access-management";
const HOLDER = "alice@bbws.example";
const OTHER = "bob@bbws.example";
const REQUEST_START = "http.server.request.start";
/** How the deploy lock's step is recorded (lock.ts updateLockStep). */
const LOCK_UPDATE = { target: "DynamoDB_20120810.UpdateItem" } as const;

/** What this file reads of a promotion record (reports/promotions/<run id>.json). */
const RecordSchema = z.object({
  outcome: z.string(),
  codeSha256: z.string(),
  functions: z.array(
    z.object({ functionName: z.string(), previousVersion: z.string(), functionVersion: z.string() }),
  ),
});

/** A request the sandbox's AWS endpoint received: method, path without the query, and X-Amz-Target. */
interface AwsRequest {
  method: string;
  path: string;
  target: string | undefined;
}

/** A request a run sends, as the sandbox receives it: by method and path, by X-Amz-Target, or any. */
type Sign = { method: string; path: RegExp } | { target: string } | "any request";

/** Which aliases a run killed at a step may have moved: none yet, up to the `index`th function's, or all. */
type Phase = { kind: "copy" } | { kind: "move"; index: number } | { kind: "moved" };

/** Where a run is killed: at the first `at` once every `after` was seen in turn (where `at` comes earlier too). */
interface KillPoint {
  /** The step the lock must name after the kill. */
  lockStep: string;
  phase: Phase;
  after?: Sign[];
  at: Sign;
}

function shows(sign: Sign, request: AwsRequest): boolean {
  if (sign === "any request") return true;
  if ("target" in sign) return request.target === sign.target;
  return request.method === sign.method && sign.path.test(request.path);
}

/**
 * The steps of a promotion of `service` into SIT, in the order a run reaches them, and how to kill it there:
 * every move-alias and the steps after them, with the copy steps of every function or (shorter) of the last
 * one only, when every function before it is copied and none has moved.
 */
function killPoints(service: ServiceId, copies: "every function" | "the last function"): KillPoint[] {
  const of = services[service];
  const sit = functionNames(of, "sit");
  const dev = functionNames(of, "dev");
  const api = (name: string, rest = "") => new RegExp(`^/2015-03-31/functions/${name}${rest}$`);
  const copy = sit.flatMap((fn, index) => {
    if (copies === "the last function" && index !== sit.length - 1) return [];
    const published = { method: "POST", path: api(fn, "/versions") };
    const signs: Record<CopyStep, Pick<KillPoint, "after" | "at">> = {
      "backup-alias": { at: { method: "POST", path: api(fn, "/aliases") } },
      // GetFunction of the DEV function, then its package from GetFunction's Code.Location.
      "download-package": {
        after: [{ method: "GET", path: api(dev[index] ?? "") }],
        at: { method: "GET", path: /^\/_lambda-code\// },
      },
      "update-code": { at: { method: "PUT", path: api(fn, "/code") } },
      "publish-version": { at: published },
      // A check without a request: the run dies as the sandbox receives its lock update to this step.
      "verify-code-sha": { after: [published], at: LOCK_UPDATE },
    };
    return COPY_STEPS.map(
      (step): KillPoint => ({ lockStep: `${step} ${fn}`, phase: { kind: "copy" }, ...signs[step] }),
    );
  });
  const moves = sit.map(
    (fn, index): KillPoint => ({
      lockStep: `move-alias ${fn}`,
      phase: { kind: "move", index },
      at: { method: "PUT", path: api(fn, "/aliases/latest-sit") },
    }),
  );
  const lastMove = { method: "PUT", path: api(sit.at(-1) ?? "", "/aliases/latest-sit") };
  // The tenant service records in its deployments table, the access service in SSM.
  const record = {
    target: deploymentsTable(of, "sit") ? "DynamoDB_20120810.PutItem" : "AmazonSSM.PutParameter",
  };
  return [
    ...copy,
    ...moves,
    { lockStep: "record-deployment", phase: { kind: "moved" }, after: [lastMove], at: record },
    // Inside the verification: its suite's first request (the suite runs in the run's process group).
    {
      lockStep: "post-deploy-verification",
      phase: { kind: "moved" },
      after: [lastMove, record, LOCK_UPDATE],
      at: "any request",
    },
  ];
}

/** The request of a `http.server.request.start` message, checked rather than cast. */
function requestOf(message: unknown): IncomingMessage | null {
  if (typeof message !== "object" || message === null || !("request" in message)) return null;
  return message.request instanceof IncomingMessage ? message.request : null;
}

/** Runs `start` and SIGKILLs the process group it spawns at `point`; resolves with the run's end. */
function killedAt(
  sb: TestSandbox,
  point: KillPoint,
  start: (onSpawn: (pid: number) => void) => Promise<CommandResult>,
): Promise<CommandResult> {
  const port = Number(new URL(sb.sandbox.endpoints.awsEndpoint).port);
  const after = [...(point.after ?? [])];
  let pid = 0;
  let killed = false;
  // Nothing else talks to the sandbox's AWS endpoint while a run is watched: the test waits on it, no traffic runs.
  const onRequest = (message: unknown) => {
    const request = requestOf(message);
    if (killed || pid === 0 || request === null || request.socket.localPort !== port) return;
    const target = request.headers["x-amz-target"];
    const seen: AwsRequest = {
      method: request.method ?? "",
      path: (request.url ?? "").split("?")[0] ?? "",
      target: typeof target === "string" ? target : undefined,
    };
    const [next] = after;
    if (next !== undefined) {
      if (shows(next, seen)) after.shift();
      return;
    }
    if (!shows(point.at, seen)) return;
    killed = true;
    process.kill(-pid, "SIGKILL");
  };
  subscribe(REQUEST_START, onRequest);
  const onSpawn = (p: number) => {
    pid = p;
  };
  return start(onSpawn).finally(() => unsubscribe(REQUEST_START, onRequest));
}

describe("npm run promote SIGKILLed at every step, then promoted again", { timeout: 420_000 }, () => {
  const sb = useTestSandbox();
  const kit = usePromoteKit(sb);
  let signers: TestSigners | null = null;
  before(async () => {
    signers = await createTestSigners(join(kit.work, "signers"));
  });

  /** Settings of an SDK client of SIT's account in the sandbox. */
  function sitAccount() {
    const { awsEndpoint, environments } = sb.sandbox.endpoints;
    const { region, accessKeyId, secretAccessKey } = environments.sit;
    return { endpoint: awsEndpoint, region, credentials: { accessKeyId, secretAccessKey } };
  }

  /**
   * What the verification after the move needs besides the suites' own checks: a signed attestation of every
   * attested SIT item of `service` for the bits SIT then serves, by a holder of its role (the access runbook's
   * release steps). Returns the variables that point a run at them.
   */
  async function attestedSit(service: ServiceId, sit: FunctionUnderTest[]): Promise<Record<string, string>> {
    assert.ok(signers, "the signers are made before the tests");
    const dir = join(kit.work, `attestations-${service}`);
    for (const item of allRunbookItems()) {
      const role = item.attestedBy;
      if (getRunbook(item.runbookId)?.service !== service || !item.environments.includes("sit") || !role)
        continue;
      const person = signers.signers.find((signer) => signer.roles.includes(role));
      assert.ok(person, `someone holds ${role}`);
      const record = await signAttestation(
        {
          schemaVersion: 2,
          itemId: item.id,
          service,
          environment: "sit",
          codeSha256: combinedCodeSha256(sit) ?? "",
          principal: person.principal,
          role,
          reference: "CHG-1001",
          attestedAt: new Date().toISOString(),
        },
        person.privateKey,
      );
      writeAttestationRecord(dir, record);
    }
    return { HARNESS_ATTESTATIONS_DIR: dir, HARNESS_ALLOWED_SIGNERS: signers.allowedSigners };
  }

  /**
   * Kills a promotion of `service` at each of its steps in turn, asserting after each kill what SIT serves,
   * what it has on record, the lock, and the refusal of a plain promote; then resumes it to the end.
   */
  async function killAtEveryStep(
    t: TestContext,
    service: ServiceId,
    options: {
      appVersion: string;
      copies: Parameters<typeof killPoints>[1];
      /** The traffic the post-deploy window of the resumed run judges. */
      traffic: (n: number) => Promise<unknown>;
      /** Why the resumed run does not end promoted yet (a known bug), or false. */
      todo: string | false;
    },
  ): Promise<void> {
    const of = services[service];
    const sitNames = functionNames(of, "sit");
    const doc = DynamoDBDocumentClient.from(new DynamoDBClient(sitAccount()));
    const ssm = new SSMClient(sitAccount());
    const lockTable = deployLockTable("sit");
    const recordTable = deploymentsTable(of, "sit");
    const parameter = ssmParameter(of, "sit");

    /** What SIT has on record as deployed: the newest DEPLOYMENT# item of each function, or the SSM value. */
    async function recorded(): Promise<string[]> {
      if (recordTable === null) {
        const value = await ssm.send(new GetParameterCommand({ Name: parameter ?? "" }));
        return [value.Parameter?.Value ?? "(none)"];
      }
      return Promise.all(
        sitNames.map(async (fn) => {
          const page = await doc.send(
            new QueryCommand({
              TableName: recordTable,
              KeyConditionExpression: "PK = :pk",
              ExpressionAttributeValues: { ":pk": `DEPLOYMENT#${fn}` },
              ScanIndexForward: false,
              Limit: 1,
            }),
          );
          const item = page.Items?.[0];
          return `${fn} version ${item?.functionVersion} CodeSha256 ${item?.codeSha256}`;
        }),
      );
    }
    const recordOf = (served: readonly FunctionUnderTest[]) =>
      recordTable === null
        ? [`v${served[0]?.appVersion}`]
        : served.map((fn) => `${fn.functionName} version ${fn.functionVersion} CodeSha256 ${fn.codeSha256}`);

    try {
      await sb.sandbox.deploy({ env: "dev", service, appVersion: options.appVersion });
      const dev = await kit.servedAll("dev", service);
      const before = await kit.servedAll("sit", service);
      const recordBefore = await recorded();
      for (const [index, fn] of before.entries())
        assert.notEqual(fn.codeSha256, dev[index]?.codeSha256, `${fn.functionName}: SIT serves other bits`);
      const dir = mkdtempSync(join(kit.work, `${service}-`));
      kit.gateVerdicts(dir, dev, service);

      /** Asserts that SIT serves, function by function, what a run killed in `phase` may leave. */
      async function assertServes(phase: Phase, what: string): Promise<FunctionUnderTest[]> {
        const sit = await kit.servedAll("sit", service);
        for (const [index, fn] of sit.entries()) {
          const old = before[index];
          const next = dev[index];
          const says = `${what}: ${fn.functionName} serves version ${fn.functionVersion} (${fn.codeSha256})`;
          if (phase.kind === "copy" || (phase.kind === "move" && index > phase.index))
            assert.equal(fn.functionVersion, old?.functionVersion, `${says}, not its old version`);
          else if (phase.kind === "moved" || index < phase.index)
            assert.equal(fn.codeSha256, next?.codeSha256, `${says}, not DEV's bits`);
          else assert.ok([old?.codeSha256, next?.codeSha256].includes(fn.codeSha256), `${says}: neither`);
          if (fn.codeSha256 === next?.codeSha256) assert.equal(fn.appVersion, next.appVersion, says);
          const alias = await sb
            .lambda("sit")
            .send(new GetAliasCommand({ FunctionName: fn.functionName, Name: "latest-sit" }));
          assert.deepEqual(
            Object.keys(alias.RoutingConfig?.AdditionalVersionWeights ?? {}),
            [],
            `${says}: latest-sit routes to that one version only`,
          );
        }
        return sit;
      }

      /** The line a run that broke `lock` prints: the run and the step the broken lock had reached. */
      const broke = (lock: ReadLock) =>
        `Broke the deploy lock of run ${lock.runId} (${HOLDER}, promote), which had reached step "${lock.step}"`;
      const breakFlags = (step: string) => [
        "--break-lock",
        "--reason",
        `the run was killed at ${step}`,
        "--force",
      ];

      const locks: ReadLock[] = [];
      for (const point of killPoints(service, options.copies)) {
        const what = `killed at ${point.lockStep}`;
        const previous = locks.at(-1);
        const run = await killedAt(sb, point, (onSpawn) =>
          kit.promoteRun(dir, previous ? breakFlags(previous.step) : [], { service, onSpawn }),
        );
        assert.equal(run.signal, "SIGKILL", `${what}: the run died by SIGKILL\n${run.stderr}`);
        if (previous)
          assert.ok(
            run.stderr.includes(broke(previous)),
            `${what}: the run reports the lock it broke\n${run.stderr}`,
          );

        const sit = await assertServes(point.phase, what);
        const onRecord = await recorded();
        if (point.phase.kind !== "moved")
          assert.deepEqual(onRecord, recordBefore, `${what}: the record still names the old version`);
        else if (point.lockStep === "record-deployment")
          assert.ok(
            [recordBefore, recordOf(sit)].some((r) => JSON.stringify(r) === JSON.stringify(onRecord)),
            `${what}: the record names the old version or the new one: ${onRecord.join("; ")}`,
          );
        else assert.deepEqual(onRecord, recordOf(sit), `${what}: the record names what SIT serves`);

        const lock = await readLock(doc, lockTable, service);
        assert.ok(lock, `${what}: the lock stays`);
        assert.equal(lock.step, point.lockStep, `${what}: the lock names the step reached`);
        assert.deepEqual(
          [lock.holder, lock.operation, lock.target.codeSha256, lock.stale],
          [HOLDER, "promote", combinedCodeSha256(dev), false],
          `${what}: the lock names its holder and DEV's bits, and its lease still runs`,
        );
        locks.push(lock);

        const held = await kit.promoteRun(dir, ["--initiator", OTHER], { service });
        assert.equal(held.code, 1, `${what}: a plain promote refuses\n${held.stderr}`);
        assert.match(held.stderr, /^REFUSED: /m, what);
        for (const named of [HOLDER, lock.runId, `reached step "${lock.step}"`])
          assert.ok(held.stderr.includes(named), `${what}: the refusal names ${named}\n${held.stderr}`);
        assert.deepEqual(await kit.servedAll("sit", service), sit, `${what}: the refusal changed nothing`);
        assert.equal((await readLock(doc, lockTable, service))?.runId, lock.runId, `${what}: nor the lock`);
      }

      const last = locks.at(-1);
      assert.ok(last);
      // What the verification needs: attestations for the bits SIT serves once every alias moved (DEV's code
      // under SIT's function names), and traffic for its window.
      const env = await attestedSit(
        service,
        dev.map((fn, index) => ({ ...fn, functionName: sitNames[index] ?? "", alias: "latest-sit" })),
      );
      const running = steadyTraffic(options.traffic);
      const resumed = await kit
        .promoteRun(dir, breakFlags(last.step), { service, env })
        .finally(() => running.stop());
      const recordFile = /record (\S+\.json)/.exec(resumed.stderr)?.[1];
      const record = recordFile ? RecordSchema.parse(JSON.parse(readFileSync(recordFile, "utf8"))) : null;
      if (recordFile) rmSync(recordFile, { force: true });

      await t.test(
        "the resumed run leaves nothing behind: no lock, every break recorded, backup aliases",
        async () => {
          assert.ok([0, 1].includes(resumed.code ?? -1), `the resumed run ends\n${resumed.stderr}`);
          assert.ok(resumed.stderr.includes(broke(last)), `it reports the lock it broke\n${resumed.stderr}`);
          assert.equal(await readLock(doc, lockTable, service), null, "no lock is left");

          // Every break is on record, newest first, with the step its run had reached and the reason given.
          const breaks = (await readLockBreaks(doc, lockTable, service)).slice(0, locks.length);
          assert.deepEqual(
            breaks.map((b) => [b.lock.runId, b.lock.step, b.by, b.reason, b.forced, b.wasStale]),
            locks
              .map((lock) => [
                lock.runId,
                lock.step,
                HOLDER,
                `the run was killed at ${lock.step}`,
                true,
                false,
              ])
              .reverse(),
            "one break record per killed run",
          );

          // SIT is whole: every function on DEV's bits, or (rolled back) every one on its old version again.
          const sit = await kit.servedAll("sit", service);
          const promoted = sit.every((fn, index) => fn.codeSha256 === dev[index]?.codeSha256);
          if (!promoted)
            assert.deepEqual(
              sit.map((fn) => fn.functionVersion),
              before.map((fn) => fn.functionVersion),
              "SIT serves DEV's bits everywhere or its old versions everywhere",
            );

          // Each function's backup alias still holds the version served before; none holds the new one.
          for (const [index, fn] of sit.entries()) {
            const old = before[index]?.functionVersion ?? "";
            const aliases = await sb
              .lambda("sit")
              .send(new ListAliasesCommand({ FunctionName: fn.functionName }));
            const backups = (aliases.Aliases ?? []).filter((alias) => alias.Name?.startsWith("backup-sit-v"));
            assert.ok(
              backups.some((alias) => alias.Name === `backup-sit-v${old}` && alias.FunctionVersion === old),
              `${fn.functionName}: backup-sit-v${old} points at version ${old}`,
            );
            if (promoted)
              assert.ok(
                backups.every((alias) => alias.FunctionVersion !== fn.functionVersion),
                `${fn.functionName}: no backup alias holds the new version ${fn.functionVersion}`,
              );
          }
        },
      );

      await t.test(
        "the resumed run only verifies and ends promoted: SIT serves DEV's bits, recorded",
        { todo: options.todo },
        async () => {
          assert.equal(resumed.code, 0, `the resumed promotion ends promoted\n${resumed.stderr}`);
          for (const fn of sitNames)
            assert.ok(
              resumed.stderr.includes(`  already serving: ${fn} latest-sit -> `),
              `${fn}: nothing to copy`,
            );
          const sit = await assertServes({ kind: "moved" }, "resumed");
          assert.deepEqual(await recorded(), recordOf(sit), "the record names what SIT serves");
          // The promotion record ties SIT's bits to DEV's and knows the way back.
          assert.ok(record, resumed.stderr);
          assert.equal(record.outcome, "promoted");
          assert.equal(record.codeSha256, combinedCodeSha256(dev));
          assert.deepEqual(
            record.functions.map((fn) => [fn.functionName, fn.previousVersion, fn.functionVersion]),
            sit.map((fn, index) => [fn.functionName, before[index]?.functionVersion, fn.functionVersion]),
            "its previous versions are the ones SIT served before the first run",
          );
        },
      );
    } finally {
      doc.destroy();
      ssm.destroy();
    }
  }

  test("tenant-instance-management: SIGKILL at each of its 8 steps, then promote again", (t) =>
    killAtEveryStep(t, TENANT, {
      appVersion: "1.7.0",
      copies: "every function",
      traffic: healthAndTenants(sb, "sit"),
      todo: false,
    }));

  test("access-management (3 functions): SIGKILL at each copy step of the last function, at each alias move, at the record and the verification, then promote again", (t) =>
    killAtEveryStep(t, ACCESS, {
      appVersion: "1.7.0",
      // The first two functions' copy steps are the tenant's steps again; their alias moves are not.
      copies: "the last function",
      traffic: (n) =>
        invokeRoute(
          sb,
          "sit",
          functionNames(services[ACCESS], "sit")[n % 3] ?? "",
          "latest-sit",
          "GET",
          "/health",
        ),
      // The resumed run's post-deploy window opens when it moved the aliases (HARNESS_DEPLOYED_AT), not at the
      // LastModified of the version a killed run published.
      todo: false,
    }));
});
