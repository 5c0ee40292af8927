/**
 * CloudWatch's operations as the AWS server dispatches them, by name: the JSON 1.0 target
 * (`GraniteServiceVersion20100801.<Op>`), the Smithy RPC v2 CBOR path and the Query `Action` all name
 * the same operation. Inputs arrive unparsed; the backend validates them as CloudWatch does.
 */
import type { Operation } from "../regional.ts";
import type { CloudWatchBackend } from "./service.ts";

/** The wire operations of `backend`. On the wire, "AWS/" namespaces are refused as on AWS. */
export function cloudWatchOperations(backend: CloudWatchBackend): Record<string, Operation> {
  return {
    PutMetricData: (input, ctx) => {
      backend.putMetricData(ctx.accountId, ctx.region, input, false);
      return {};
    },
    GetMetricStatistics: (input, ctx) => backend.getMetricStatistics(input, ctx),
    GetMetricData: (input, ctx) => backend.getMetricData(input, ctx),
    ListMetrics: (input, ctx) => backend.listMetrics(input, ctx),
    PutMetricAlarm: (input, ctx) => {
      backend.putMetricAlarm(ctx.accountId, ctx.region, input);
      return {};
    },
    DescribeAlarms: (input, ctx) => backend.describeAlarms(input, ctx),
    DeleteAlarms: (input, ctx) => backend.deleteAlarms(input, ctx),
    SetAlarmState: (input, ctx) => {
      backend.setAlarmState(ctx.accountId, ctx.region, input);
      return {};
    },
    DescribeAlarmHistory: (input, ctx) => backend.describeAlarmHistory(input, ctx),
  };
}
