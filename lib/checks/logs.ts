/** Runbook 8.2: FilterLogEvents for "ERROR" since the deployment; matches are attached, redacted. */
import type { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { sdk } from "../aws/index.ts";
import { redactor } from "../redact/index.ts";
import { type Finding, failed, inconclusive, passed } from "./finding.ts";

/** A matching log event, redacted. */
export interface LogMatch {
  readonly logStream: string;
  readonly timestamp: string;
  readonly message: string;
}

// Enough to show what is wrong without copying a flood of log lines into a report.
const maxMatches = 50;

/** Finds `pattern` events in the log group since `since`; missing group is inconclusive (nothing to search). */
export async function judgeErrorLogs(options: {
  logs: CloudWatchLogsClient;
  logGroup: string;
  since: Date;
  until: Date;
  pattern?: string;
}): Promise<Finding & { readonly matches: readonly LogMatch[] }> {
  const pattern = options.pattern ?? "ERROR";
  const matches: LogMatch[] = [];
  let total = 0;
  try {
    const pages = sdk.logs().paginateFilterLogEvents(
      { client: options.logs },
      {
        logGroupName: options.logGroup,
        filterPattern: pattern,
        startTime: options.since.getTime(),
        endTime: options.until.getTime(),
      },
    );
    for await (const page of pages) {
      for (const event of page.events ?? []) {
        total++;
        if (matches.length < maxMatches) {
          matches.push({
            logStream: event.logStreamName ?? "",
            timestamp: new Date(event.timestamp ?? 0).toISOString(),
            message: redactor.redact((event.message ?? "").trimEnd()),
          });
        }
      }
      if (total >= maxMatches * 10) break;
    }
  } catch (error) {
    if (error instanceof Error && error.name === "ResourceNotFoundException") {
      const result = inconclusive(
        `Log group ${options.logGroup} does not exist, so its ${pattern} events cannot be searched. Check the function's logging (runbook 2.3 log group).`,
        { logGroup: options.logGroup },
      );
      return { ...result, matches };
    }
    throw error;
  }
  const evidence = {
    logGroup: options.logGroup,
    filterPattern: pattern,
    since: options.since.toISOString(),
    matches,
    total,
  };
  if (total > 0) {
    const first = matches[0];
    return {
      ...failed(
        `${total} ${pattern} event${total === 1 ? "" : "s"} in ${options.logGroup} since the deployment at ${options.since.toISOString()}${first ? `; first: ${first.message.slice(0, 200)}` : ""}. The matches are attached (redacted).`,
        evidence,
      ),
      matches,
    };
  }
  return {
    ...passed(
      `No ${pattern} events in ${options.logGroup} since the deployment at ${options.since.toISOString()}.`,
      evidence,
    ),
    matches,
  };
}
