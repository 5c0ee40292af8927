import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import {
  allRunbookItems,
  environments,
  getRunbookItem,
  RunbookSchema,
  runbooks,
  services,
  type Threshold,
} from "../../runbooks/index.ts";

const items = allRunbookItems();

function thresholdsOf(id: string): Threshold[] {
  const item = getRunbookItem(id);
  assert.ok(item, `${id} exists`);
  return item.thresholds;
}

describe("runbook items", () => {
  test("ids are unique, stable-looking and start with their runbook and section", () => {
    assert.equal(new Set(items.map((item) => item.id)).size, items.length);
    for (const item of items) {
      assert.match(item.id, /^[a-z]+(-[a-z]+)*\/\d+(\.\d+)*\/[a-z0-9]+(-[a-z0-9]+)*$/, item.id);
      assert.ok(item.id.startsWith(`${item.runbookId}/${item.sectionNumber}/`), item.id);
      assert.ok((item.id.split("/")[2]?.length ?? 0) <= 40, `${item.id}: keep slugs short`);
    }
  });

  test("no id listed in tests/fixtures-data/runbook-ids.txt has disappeared", () => {
    const listed = readFileSync(join(import.meta.dirname, "../fixtures-data/runbook-ids.txt"), "utf8")
      .split("\n")
      .filter((line) => line.trim() !== "" && !line.startsWith("#"));
    const missing = listed.filter((id) => getRunbookItem(id) === undefined);
    assert.deepEqual(
      missing,
      [],
      "renamed or removed ids break tests, verdicts and attestations that name them",
    );
    assert.ok(listed.length >= 100);
  });

  test("both seed runbooks are there, every section has items and names its suite", () => {
    assert.deepEqual(
      runbooks.map((runbook) => [runbook.id, runbook.service]),
      [
        ["tenant-deploy", "tenant-instance-management"],
        ["access-promotion", "access-management"],
      ],
    );
    for (const runbook of runbooks) {
      for (const section of runbook.sections) {
        assert.ok(section.items.length > 0, `${runbook.id} ${section.number} has items`);
        if (section.suite === "none") {
          assert.ok(
            section.items.every((item) => item.kind === "attested"),
            `${runbook.id} ${section.number}`,
          );
        }
      }
    }
  });

  test("the ids the design names exist with the right kind", () => {
    for (const id of [
      "tenant-deploy/7.1/sit-running-24h",
      "tenant-deploy/5.1/health-direct-invoke",
      "tenant-deploy/8.1/errors-5min",
      "access-promotion/5.1/error-rate-auto-rollback",
    ]) {
      assert.equal(getRunbookItem(id)?.kind, "automated", id);
    }
    for (const id of [
      "access-promotion/4.1/uat-signed-off",
      "access-promotion/4.1/change-request-approved",
      "tenant-deploy/7.1/maintenance-window-approved",
      "access-promotion/4.1/on-call-assigned",
      "access-promotion/4.1/stakeholders-notified",
      "access-promotion/3.1/release-notes-drafted",
      "access-promotion/2.2/code-review-complete",
    ]) {
      assert.ok(getRunbookItem(id)?.kind === "attested" && getRunbookItem(id)?.attestedBy, id);
    }
  });

  test("checks of the service's own repository are read from its CI's report files and say why", () => {
    for (const [id, kinds] of [
      ["tenant-deploy/3.1/unit-tests-pass", ["unit-tests"]],
      ["tenant-deploy/3.1/lint-passes", ["lint"]],
      ["tenant-deploy/3.1/coverage-80", ["coverage"]],
      ["tenant-deploy/3.1/security-scan-passes", ["security"]],
      ["access-promotion/3.1/unit-tests-coverage", ["unit-tests", "coverage"]],
      ["access-promotion/4.3.1/sit-full-suite", ["sit-final-tests"]],
    ] as const) {
      const item = getRunbookItem(id);
      assert.equal(item?.kind, "automated", id);
      assert.equal(item?.suite, "pre-promotion", id);
      assert.deepEqual(item?.ciEvidence, kinds, id);
      assert.match(item?.notes ?? "", /service's own repository.*missing file is a missing attestation/s, id);
    }
  });

  test("what no file can prove is still attested by the service's CI (a signed record)", () => {
    const item = getRunbookItem("tenant-deploy/3.3/openapi-spec-valid");
    assert.equal(item?.kind, "attested");
    assert.equal(item?.attestedBy, "service-ci");
  });

  test("every attested item names who attests it; no automated item does", () => {
    for (const item of items) {
      assert.equal(item.kind === "attested", item.attestedBy !== undefined, item.id);
    }
  });
});

describe("thresholds from the runbooks", () => {
  test("DEV -> SIT: fewer than 10 errors in 1 h", () => {
    assert.deepEqual(thresholdsOf("tenant-deploy/6.3.1/dev-errors-1h"), [
      {
        metric: "lambda.errors",
        comparison: "<",
        value: 10,
        unit: "count",
        windowSeconds: 3600,
        zeroTrafficOk: false,
        sense: "requirement",
      },
    ]);
  });

  test("SIT -> PROD: fewer than 5 errors and no throttles in 24 h, after 24 h of running", () => {
    const [errors] = thresholdsOf("tenant-deploy/7.1/sit-errors-24h");
    assert.deepEqual(
      [errors?.metric, errors?.comparison, errors?.value, errors?.windowSeconds],
      ["lambda.errors", "<", 5, 86_400],
    );
    const [throttles] = thresholdsOf("tenant-deploy/7.1/sit-no-throttles-24h");
    assert.deepEqual(
      [throttles?.metric, throttles?.comparison, throttles?.value, throttles?.windowSeconds],
      ["lambda.throttles", "==", 0, 86_400],
    );
    const [age] = thresholdsOf("tenant-deploy/7.1/sit-running-24h");
    assert.deepEqual([age?.metric, age?.comparison, age?.value], ["deployment.age", ">=", 86_400]);
    assert.equal(thresholdsOf("tenant-deploy/7.3.1/sit-stability-24h").length, 2);
  });

  test("auto-rollback when the error rate is above 5% for 2 min", () => {
    assert.deepEqual(thresholdsOf("access-promotion/5.1/error-rate-auto-rollback"), [
      {
        metric: "lambda.error-rate",
        comparison: ">",
        value: 5,
        unit: "percent",
        forSeconds: 120,
        zeroTrafficOk: false,
        sense: "trigger",
      },
    ]);
  });

  test("manual rollback triggers: error rate > 10%, P99 > 10 s, 5xx > 5/min; P95 > 3x baseline alerts", () => {
    const pick = (id: string) => thresholdsOf(id).map((t) => [t.metric, t.comparison, t.value, t.sense]);
    assert.deepEqual(pick("tenant-deploy/9.2/error-rate-over-10pct"), [
      ["lambda.error-rate", ">", 10, "trigger"],
    ]);
    assert.deepEqual(pick("tenant-deploy/9.2/p99-over-10s")[0], [
      "lambda.duration.p99",
      ">",
      10_000,
      "trigger",
    ]);
    assert.deepEqual(pick("tenant-deploy/9.2/5xx-over-5-per-min")[0], ["api.5xx", ">", 5, "trigger"]);
    assert.equal(thresholdsOf("tenant-deploy/9.2/5xx-over-5-per-min")[0]?.windowSeconds, 60);
    assert.deepEqual(pick("access-promotion/5.1/p95-latency-alert"), [
      ["lambda.duration.p95", ">", 3, "trigger"],
    ]);
  });

  test("canary 10% for 5 min, coverage >= 80%, rollback < 30 min and alias rollback < 5 min", () => {
    const [canary] = thresholdsOf("access-promotion/4.3.4/canary-10pct-5min");
    assert.deepEqual([canary?.metric, canary?.value, canary?.forSeconds], ["canary.traffic-weight", 10, 300]);
    const [coverage] = thresholdsOf("tenant-deploy/3.1/coverage-80");
    assert.deepEqual([coverage?.comparison, coverage?.value, coverage?.unit], [">=", 80, "percent"]);
    assert.equal(thresholdsOf("access-promotion/4.2/rollback-under-30min")[0]?.value, 1_800);
    assert.equal(thresholdsOf("access-promotion/4.2/alias-rollback-under-5min")[0]?.value, 300);
  });

  test("monitoring windows: SIT 30 s, PROD 5 min, in the items and the environments", () => {
    assert.equal(thresholdsOf("tenant-deploy/6.3.3/monitor-immediate-errors")[0]?.windowSeconds, 30);
    assert.equal(thresholdsOf("tenant-deploy/7.3.4/error-monitoring-5min")[0]?.windowSeconds, 300);
    assert.equal(environments.sit.monitoring.windowSeconds, 30);
    assert.equal(environments.prod.monitoring.windowSeconds, 300);
    assert.ok(environments.dev.monitoring.windowSeconds <= 60, "DEV's window stays short");
  });
});

describe("environments and services", () => {
  test("the runbooks' facts", () => {
    const facts = Object.values(environments).map((env) => [
      env.id,
      env.accountId,
      env.region,
      env.approvalsRequired,
      env.autoDeploy,
      env.policy.readOnly,
      env.policy.maintenanceWindowRequired,
      env.cognito.userPoolName,
      env.cognito.username.fromEnv,
      env.awsProfile,
    ]);
    assert.deepEqual(facts, [
      [
        "dev",
        "536580886816",
        "eu-west-1",
        0,
        true,
        false,
        false,
        "bbws-user-pool-dev",
        "BBWS_DEV_SMOKE_USERNAME",
        undefined,
      ],
      [
        "sit",
        "815856636111",
        "eu-west-1",
        0,
        false,
        false,
        false,
        "bbws-user-pool-sit",
        "BBWS_SIT_SMOKE_USERNAME",
        undefined,
      ],
      [
        "prod",
        "093646564004",
        "af-south-1",
        2,
        false,
        true,
        true,
        "bbws-user-pool-prod",
        "BBWS_PROD_SMOKE_USERNAME",
        undefined,
      ],
    ]);
    assert.equal(environments.dev.apiUrl, "https://o158f3j653.execute-api.eu-west-1.amazonaws.com");
    assert.equal(environments.sit.apiUrl, "TBD");
    assert.equal(environments.prod.cloudFrontUrl, "https://api.wp.kimmyai.io");
    assert.equal(
      environments.prod.githubActionsRoleArn,
      "arn:aws:iam::093646564004:role/bbws-github-actions-role-prod",
    );
    assert.equal(environments.prod.cognito.password.fromEnv, "BBWS_PROD_SMOKE_PASSWORD");
    assert.equal(environments.dev.cognito.userPoolId, null);
  });

  test("the services' health payload is the runbook's proxy event", () => {
    assert.deepEqual(services["tenant-instance-management"].healthPayload, {
      httpMethod: "GET",
      path: "/health",
      headers: {},
    });
    assert.equal(services["access-management"].versioning, "semver");
    assert.equal(services["tenant-instance-management"].versioning, "lambda-numeric");
  });
});

describe("the schema refuses malformed runbooks", () => {
  const item = (id: string, extra: object = {}) => ({
    id,
    title: "t",
    kind: "automated",
    environments: ["dev"],
    ...extra,
  });
  const runbook = (sections: object[]) => ({
    id: "x",
    title: "X",
    service: "access-management",
    source: "test",
    sections,
  });

  test("duplicate ids, ids outside their section, empty sections, automated items in suite none", () => {
    const result = RunbookSchema.safeParse(
      runbook([
        { number: "1", title: "a", suite: "smoke", items: [item("x/1/a"), item("x/1/a"), item("x/2/b")] },
        { number: "2", title: "b", suite: "smoke", items: [] },
        { number: "3", title: "c", suite: "none", items: [item("x/3/c")] },
        { number: "4", title: "d", suite: "none", items: [item("x/4/d", { kind: "attested" })] },
      ]),
    );
    assert.equal(result.success, false);
    assert.deepEqual(
      result.error?.issues.map((issue) => [issue.path.join("."), issue.message]),
      [
        ["sections.1.items", "a section needs at least one item"],
        [
          "sections.2.items.0.kind",
          'automated item x/3/c sits in a section no suite verifies (suite "none")',
        ],
        ["sections.3.items.0.attestedBy", "an attested item must name who attests it"],
        ["sections.0.items.1.id", "duplicate item id"],
        ["sections.0.items.2.id", "must start with x/1/ (runbook id and section number)"],
      ],
    );
    const ids = RunbookSchema.safeParse(
      runbook([
        { number: "1", title: "a", suite: "smoke", items: [item("x/1/a"), item("x/1/a"), item("x/2/b")] },
      ]),
    );
    assert.deepEqual(
      ids.error?.issues.map((issue) => [issue.path.join("."), issue.message]),
      [
        ["sections.0.items.1.id", "duplicate item id"],
        ["sections.0.items.2.id", "must start with x/1/ (runbook id and section number)"],
      ],
    );
  });
});
