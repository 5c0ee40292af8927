/** Runbook 8.3 (and the access runbook's alarm checks): no alarm of the prefix in ALARM, none fired since the deployment. */
import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { z } from "zod";
import { sdk } from "../aws/index.ts";
import { type Finding, failed, inconclusive, passed } from "./finding.ts";

/** An alarm as the check reports it. */
export interface AlarmInfo {
  readonly name: string;
  readonly state: string;
  readonly reason: string;
  readonly updatedAt: string | null;
}

/** Lists the metric alarms whose names start with `prefix` (DescribeAlarms --alarm-name-prefix). */
export async function alarmsWithPrefix(cloudwatch: CloudWatchClient, prefix: string): Promise<AlarmInfo[]> {
  const out: AlarmInfo[] = [];
  for await (const page of sdk
    .cloudwatch()
    .paginateDescribeAlarms(
      { client: cloudwatch },
      { AlarmNamePrefix: prefix, AlarmTypes: ["MetricAlarm"] },
    )) {
    for (const alarm of page.MetricAlarms ?? []) {
      out.push({
        name: alarm.AlarmName ?? "",
        state: alarm.StateValue ?? "UNKNOWN",
        reason: alarm.StateReason ?? "",
        updatedAt: alarm.StateUpdatedTimestamp?.toISOString() ?? null,
      });
    }
  }
  return out;
}

/** None of the prefix's alarms is in ALARM; no alarm at all is inconclusive (the prefix finds nothing to judge). */
export function judgeAlarmStates(prefix: string, alarms: readonly AlarmInfo[]): Finding {
  const evidence = { prefix, alarms };
  if (alarms.length === 0) {
    return inconclusive(
      `No alarm is named ${prefix}*, so there is nothing to judge. Check the alarm prefix in runbooks/services.ts and that the alarms are deployed.`,
      evidence,
    );
  }
  const firing = alarms.filter((a) => a.state === "ALARM");
  if (firing.length > 0) {
    return failed(
      `${firing.length} of ${alarms.length} alarms named ${prefix}* ${firing.length === 1 ? "is" : "are"} in ALARM: ${firing.map((a) => `${a.name} (${a.reason || "no reason given"})`).join("; ")}. Investigate before going on; the runbook rolls back on a firing alarm.`,
      evidence,
    );
  }
  return passed(
    `All ${alarms.length} alarms named ${prefix}* are out of ALARM (${alarms.map((a) => `${a.name}: ${a.state}`).join(", ")}).`,
    evidence,
  );
}

const HistoryDataSchema = z.object({
  oldState: z.object({ stateValue: z.string() }).partial().optional(),
  newState: z.object({ stateValue: z.string() }).partial().optional(),
});

/** One state change of an alarm. */
export interface AlarmTransition {
  readonly alarm: string;
  readonly at: string;
  readonly summary: string;
  readonly to: string | null;
}

/** State changes of the alarms since `since` (DescribeAlarmHistory --history-item-type StateUpdate). */
export async function alarmTransitions(
  cloudwatch: CloudWatchClient,
  alarmNames: readonly string[],
  since: Date,
  until: Date,
): Promise<AlarmTransition[]> {
  const out: AlarmTransition[] = [];
  for (const alarm of alarmNames) {
    const pages = sdk
      .cloudwatch()
      .paginateDescribeAlarmHistory(
        { client: cloudwatch },
        { AlarmName: alarm, HistoryItemType: "StateUpdate", StartDate: since, EndDate: until },
      );
    for await (const page of pages) {
      for (const item of page.AlarmHistoryItems ?? []) {
        out.push({
          alarm: item.AlarmName ?? alarm,
          at: item.Timestamp?.toISOString() ?? "",
          summary: item.HistorySummary ?? "",
          to: newStateOf(item.HistoryData, item.HistorySummary),
        });
      }
    }
  }
  return out.sort((a, b) => a.at.localeCompare(b.at));
}

/** No alarm of the prefix moved to ALARM since the deployment, even if it has recovered since. */
export function judgeAlarmHistory(
  prefix: string,
  since: Date,
  transitions: readonly AlarmTransition[],
): Finding {
  const fired = transitions.filter((t) => t.to === "ALARM");
  const evidence = { prefix, since: since.toISOString(), transitions };
  if (fired.length > 0) {
    return failed(
      `Since the deployment at ${since.toISOString()}, ${fired.map((t) => `${t.alarm} went to ALARM at ${t.at}`).join("; ")}. An alarm that fired after a deployment is a rollback trigger even when it has recovered.`,
      evidence,
    );
  }
  return passed(
    `No alarm named ${prefix}* entered ALARM since the deployment at ${since.toISOString()} (${transitions.length} state changes seen).`,
    evidence,
  );
}

function newStateOf(historyData: string | undefined, summary: string | undefined): string | null {
  if (historyData) {
    try {
      const parsed = HistoryDataSchema.safeParse(JSON.parse(historyData));
      const value = parsed.success ? parsed.data.newState?.stateValue : undefined;
      if (value) return value;
    } catch {
      // Not JSON: fall back to the summary, which AWS writes as "Alarm updated from OK to ALARM".
    }
  }
  const match = /to (OK|ALARM|INSUFFICIENT_DATA)\b/.exec(summary ?? "");
  return match?.[1] ?? null;
}
