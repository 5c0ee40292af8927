/**
 * A throttled CloudWatch call is retried by the SDK, not reported as a failed check: the suite's CloudWatch
 * client (lib/aws, standard credential chain and endpoint variables) against a local CloudWatch stand-in
 * that answers ThrottlingException before it answers GetMetricData.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { after, before, describe, test } from "node:test";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { z } from "zod";
import { AwsClients } from "../../lib/aws/index.ts";
import { getMetricSeries } from "../../lib/metrics/index.ts";
import { cloudWatchPoll, type MonitorRule, runMonitor } from "../../lib/monitor/index.ts";

const fn = "bbws-tenant-instance-management-sit";

const RequestSchema = z.object({
  MetricDataQueries: z.array(
    z.object({ Id: z.string(), MetricStat: z.object({ Metric: z.object({ MetricName: z.string() }) }) }),
  ),
});

/** CloudWatch on JSON 1.0 (awsQuery-compatible): throttles `throttleFirst` of every `cycle` calls. */
function fakeCloudWatch(options: { throttleFirst: number; cycle: number }) {
  const seen: string[] = [];
  let calls = 0;
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on("end", () => {
      const position = calls++ % options.cycle;
      const target = String(req.headers["x-amz-target"] ?? "");
      if (position < options.throttleFirst) {
        seen.push(`throttled ${target}`);
        res.writeHead(400, {
          "content-type": "application/x-amz-json-1.0",
          "x-amzn-query-error": "Throttling;Sender",
        });
        res.end(
          JSON.stringify({
            __type: "com.amazonaws.cloudwatch#ThrottlingException",
            message: "Rate exceeded",
          }),
        );
        return;
      }
      seen.push(`answered ${target}`);
      const request = RequestSchema.parse(JSON.parse(body));
      const minute = Math.floor(Date.now() / 60_000) * 60;
      const value = (name: string) => (name === "Invocations" ? 120 : name === "Duration" ? 80 : 0);
      res.writeHead(200, { "content-type": "application/x-amz-json-1.0" });
      res.end(
        JSON.stringify({
          MetricDataResults: request.MetricDataQueries.map((q) => ({
            Id: q.Id,
            Label: q.MetricStat.Metric.MetricName,
            Timestamps: [minute],
            Values: [value(q.MetricStat.Metric.MetricName)],
            StatusCode: "Complete",
          })),
          Messages: [],
        }),
      );
    });
  });
  return { server, seen };
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      if (address === null || typeof address === "string")
        reject(new Error("the fake CloudWatch has no TCP port"));
      else resolve(`http://127.0.0.1:${address.port}`);
    });
  });
}

const errorsRule: MonitorRule = {
  id: "tenant-deploy/6.3.3/monitor-immediate-errors",
  itemIds: ["tenant-deploy/6.3.3/monitor-immediate-errors"],
  measure: { kind: "error-count" },
  failWhen: { comparison: "!=", value: 0 },
};

/** The errors rule's monitoring window over `fn`, read through `client`, from now on. */
function watchErrors(client: CloudWatchClient, timing: { windowMs: number; intervalMs: number }) {
  const startedAt = Date.now();
  const target = { kind: "function", functionName: fn } as const;
  return runMonitor({
    poll: cloudWatchPoll({ client, target, startedAt, periodSeconds: 60 }),
    rules: [errorsRule],
    target,
    startedAt,
    ...timing,
    periodMs: 60_000,
  });
}

describe("a throttled CloudWatch call", () => {
  const fake = fakeCloudWatch({ throttleFirst: 1, cycle: 2 });
  let endpoint = "";
  const saved = { ...process.env };
  before(async () => {
    endpoint = await listen(fake.server);
    // The suite's clients read endpoints and credentials from the standard variables only.
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_CLOUDWATCH: endpoint,
      AWS_ACCESS_KEY_ID: "AKIAEXAMPLETHROTTLE",
      AWS_SECRET_ACCESS_KEY: "throttle-test-secret-not-real",
    });
    delete process.env.AWS_PROFILE;
  });
  after(async () => {
    process.env = saved;
    await new Promise((resolve) => fake.server.close(resolve));
  });

  test("is retried by the suite's CloudWatch client and the read succeeds", async () => {
    const clients = new AwsClients({ region: "eu-west-1" });
    try {
      const before = fake.seen.length;
      const read = await getMetricSeries(clients.cloudwatch, {
        queries: [{ id: "errors", metricName: "Errors", stat: "Sum", dimensions: { FunctionName: fn } }],
        startTime: new Date(Date.now() - 60_000),
        endTime: new Date(Date.now() + 60_000),
        periodSeconds: 60,
      });
      assert.deepEqual(fake.seen.slice(before), [
        "throttled GraniteServiceVersion20100801.GetMetricData",
        "answered GraniteServiceVersion20100801.GetMetricData",
      ]);
      assert.equal(read.get("errors")?.length, 1);
    } finally {
      clients.destroy();
    }
  });

  test("does not fail the monitoring window: every poll is throttled once, retried, and the window passes", async () => {
    const clients = new AwsClients({ region: "eu-west-1" });
    try {
      const before = fake.seen.length;
      const run = await watchErrors(clients.cloudwatch, { windowMs: 1_500, intervalMs: 500 });
      assert.equal(run.decision.kind, "pass", run.decision.reason);
      const throttled = fake.seen.slice(before).filter((line) => line.startsWith("throttled")).length;
      assert.ok(run.history.length >= 2, `polled ${run.history.length} times`);
      assert.equal(throttled, run.history.length, "each poll was throttled once, then retried");
    } finally {
      clients.destroy();
    }
  });

  test("that stays throttled after the SDK's attempts leaves a gap: inconclusive, never a failed check", async () => {
    const always = fakeCloudWatch({ throttleFirst: 1, cycle: 1 });
    const url = await listen(always.server);
    const client = new CloudWatchClient({
      region: "eu-west-1",
      endpoint: url,
      credentials: { accessKeyId: "AKIAEXAMPLETHROTTLE", secretAccessKey: "throttle-test-secret-not-real" },
      maxAttempts: 2,
    });
    try {
      const run = await watchErrors(client, { windowMs: 1_000, intervalMs: 250 });
      assert.equal(run.decision.kind, "inconclusive");
      assert.match(run.decision.reason, /could not be read .*Throttling/);
    } finally {
      client.destroy();
      await new Promise((resolve) => always.server.close(resolve));
    }
  });
});
