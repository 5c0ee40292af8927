/**
 * Pure pieces of the sandbox's AWS services: filter patterns, percentiles, metric math, Query-form
 * parsing, Lambda function identifiers and SigV4 scope parsing.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseAuthorization, parseRawQuery } from "../../sandbox/aws/auth.ts";
import { evaluateExpression } from "../../sandbox/aws/cloudwatch/expressions.ts";
import { percentile } from "../../sandbox/aws/cloudwatch/metrics.ts";
import { AwsServiceError } from "../../sandbox/aws/errors.ts";
import { parseFunctionId } from "../../sandbox/aws/lambda/names.ts";
import { compileFilterPattern } from "../../sandbox/aws/logs/filter-pattern.ts";
import { parseQueryRequest } from "../../sandbox/aws/query.ts";

describe("filter patterns", () => {
  const lines = [
    "START RequestId: 1 Version: 3",
    '2026-11-22T05:46:31.123Z\t1\tERROR\tInvoke Error \t{"errorType":"Error","errorMessage":"boom"}',
    'quoted "phrase" here',
    '{"level":"WARN","ms":120,"tags":["a","b"],"user":{"id":"u-1"}}',
  ];
  const match = (pattern: string) => lines.filter(compileFilterPattern(pattern));

  test("terms, phrases, alternatives, exclusions and regexes", () => {
    assert.deepEqual(match(""), lines);
    assert.deepEqual(match("ERROR"), [lines[1]]);
    assert.deepEqual(match("BOOM"), [], "terms are case-sensitive");
    assert.deepEqual(match("boom"), [lines[1]]);
    assert.deepEqual(match('"Invoke Error"'), [lines[1]]);
    assert.deepEqual(match('"quoted \\"phrase\\""'), [lines[2]]);
    assert.deepEqual(match("?START ?WARN"), [lines[0], lines[3]]);
    assert.deepEqual(match("RequestId -START"), []);
    assert.deepEqual(match("%Version: [0-9]+%"), [lines[0]]);
  });

  test("JSON patterns", () => {
    assert.deepEqual(match('{ $.level = "WARN" }'), [lines[3]]);
    assert.deepEqual(match("{ $.ms >= 120 && $.ms < 121 }"), [lines[3]]);
    assert.deepEqual(match('{ $.user.id = "u-*" }'), [lines[3]]);
    assert.deepEqual(match('{ $.tags[1] = "b" }'), [lines[3]]);
    assert.deepEqual(match("{ $.missing NOT EXISTS && $.level EXISTS }"), [lines[3]]);
    assert.deepEqual(match('{ $.errorType = "Error" || $.level = "nope" }'), [lines[1]]);
  });

  test("malformed and unsupported patterns are InvalidParameterException", () => {
    for (const pattern of ['"open', "{ $.a = }", "{ level = 1 }", "[a, b]", "%(%", "? "]) {
      assert.throws(
        () => compileFilterPattern(pattern),
        (error: unknown) => error instanceof AwsServiceError && error.code === "InvalidParameterException",
        pattern,
      );
    }
  });
});

describe("statistics and metric math", () => {
  test("weighted percentiles pick the recorded value at the rank", () => {
    assert.equal(percentile([10, 1, 20, 1, 30, 1], 50), 20);
    assert.equal(percentile([30, 1, 10, 8, 20, 1], 50), 10);
    assert.equal(percentile([30, 1, 10, 8, 20, 1], 95), 30);
    assert.equal(percentile([5, 3], 99.9), 5);
    assert.equal(percentile([], 50), undefined);
  });

  test("expressions combine series on shared timestamps", () => {
    const errors = new Map([
      [0, 1],
      [60, 0],
      [120, 4],
    ]);
    const invocations = new Map([
      [0, 10],
      [60, 0],
    ]);
    const ids = new Map([
      ["errors", errors],
      ["invocations", invocations],
    ]);
    assert.deepEqual([...evaluateExpression("100 * errors / invocations", ids, [0, 60, 120])], [[0, 10]]);
    assert.deepEqual(
      [...evaluateExpression("FILL(invocations, 0) - -1", ids, [0, 60, 120])],
      [
        [0, 11],
        [60, 1],
        [120, 1],
      ],
    );
    assert.deepEqual(
      [...evaluateExpression("ABS(0 - errors)", ids, [0])],
      [
        [0, 1],
        [60, 0],
        [120, 4],
      ],
    );
    assert.throws(() => evaluateExpression("SUM(METRICS())", ids, [0]), /not supported/);
    assert.throws(() => evaluateExpression("errors +", ids, [0]), /ends too early/);
    assert.throws(() => evaluateExpression("unknown * 2", ids, [0]), /not the Id of another query/);
  });
});

describe("wire parsing", () => {
  test("Query-form members become lists and nested objects", () => {
    const parsed = parseQueryRequest(
      new URLSearchParams(
        "Action=PutMetricData&Version=2010-08-01&Namespace=N&MetricData.member.2.MetricName=b&MetricData.member.1.MetricName=a&MetricData.member.1.Dimensions.member.1.Name=FunctionName&MetricData.member.1.Dimensions.member.1.Value=f&MetricData.member.1.Value=1.5",
      ),
    );
    assert.equal(parsed.action, "PutMetricData");
    assert.equal(parsed.version, "2010-08-01");
    assert.deepEqual(parsed.input, {
      Namespace: "N",
      MetricData: [
        { MetricName: "a", Dimensions: [{ Name: "FunctionName", Value: "f" }], Value: "1.5" },
        { MetricName: "b" },
      ],
    });
  });

  test("Query-form and query-string parameters cannot reach Object.prototype", () => {
    const parsed = parseQueryRequest(
      new URLSearchParams(
        "Action=ListMetrics&__proto__.polluted=yes&constructor.prototype.polluted=yes&Namespace=N",
      ),
    );
    assert.deepEqual(parsed.input, { Namespace: "N" });
    assert.equal(Reflect.get({}, "polluted"), undefined);
    const query = parseRawQuery("__proto__=x&__proto__=y&a=1");
    assert.deepEqual(Object.entries(query ?? {}), [
      ["__proto__", ["x", "y"]],
      ["a", "1"],
    ]);
  });

  test("function identifiers: names, partial and full ARNs, qualifiers", () => {
    assert.deepEqual(parseFunctionId("fn"), {
      name: "fn",
      qualifier: undefined,
      accountId: undefined,
      region: undefined,
    });
    assert.deepEqual(parseFunctionId("fn:latest-dev"), {
      name: "fn",
      qualifier: "latest-dev",
      accountId: undefined,
      region: undefined,
    });
    assert.deepEqual(parseFunctionId("536580886816:function:fn"), {
      name: "fn",
      qualifier: undefined,
      accountId: "536580886816",
      region: undefined,
    });
    assert.deepEqual(parseFunctionId("arn:aws:lambda:af-south-1:093646564004:function:fn:$LATEST"), {
      name: "fn",
      qualifier: "$LATEST",
      accountId: "093646564004",
      region: "af-south-1",
    });
    for (const bad of ["", "has space", "fn:bad qualifier", "a".repeat(65)]) {
      assert.throws(
        () => parseFunctionId(bad),
        (error: unknown) => error instanceof AwsServiceError && error.code === "ValidationException",
        bad,
      );
    }
  });

  test("SigV4 credential scopes", () => {
    assert.deepEqual(
      parseAuthorization(
        `AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20261122/eu-west-1/lambda/aws4_request, SignedHeaders=host;x-amz-date, Signature=${"a".repeat(64)}`,
      ),
      {
        accessKeyId: "AKIAEXAMPLE",
        date: "20261122",
        region: "eu-west-1",
        service: "lambda",
        signedHeaders: ["host", "x-amz-date"],
        signature: "a".repeat(64),
      },
    );
    assert.equal(parseAuthorization("Bearer token"), undefined);
    assert.equal(parseAuthorization(undefined), undefined);
  });
});
