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

/** What a search of one log group found. */
export interface LogSearch {
  readonly logGroup: string;
  readonly pattern: string;
  readonly since: Date;
  /** False when the log group does not exist (nothing could be searched). */
  readonly groupExists: boolean;
  /** The first matches (at most 50), redacted. */
  readonly matches: readonly LogMatch[];
  /** Matching events seen (the search stops counting at 500). */
  readonly total: number;
}

// Enough to show what is wrong without copying a flood of log lines into a report.
const maxMatches = 50;

/** FilterLogEvents for `pattern` (default "ERROR") in the log group between `since` and `until`. */
export async function searchLogs(options: {
  logs: CloudWatchLogsClient;
  logGroup: string;
  since: Date;
  until: Date;
  pattern?: string;
}): Promise<LogSearch> {
  const pattern = options.pattern ?? "ERROR";
  const search = { logGroup: options.logGroup, pattern, since: options.since };
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
      return { ...search, groupExists: false, matches: [], total: 0 };
    }
    throw error;
  }
  return { ...search, groupExists: true, matches, total };
}

/**
 * No matching event since the deployment (or in the window `during` names, e.g. "in the last hour"); a
 * missing log group is inconclusive (nothing to search).
 */
export function judgeErrorLogs(search: LogSearch, during?: string): Finding {
  const { logGroup, pattern, since, matches, total } = search;
  if (!search.groupExists) {
    return inconclusive(
      `Log group ${logGroup} does not exist, so its ${pattern} events cannot be searched. Check the function's logging (runbook 2.3 log group).`,
      { logGroup },
    );
  }
  const evidence = { logGroup, filterPattern: pattern, since: since.toISOString(), matches, total };
  if (total > 0) {
    const first = matches[0];
    return failed(
      `${total} ${pattern} event${total === 1 ? "" : "s"} in ${logGroup} ${during ?? `since the deployment at ${since.toISOString()}`}${first ? `; first: ${first.message.slice(0, 200)}` : ""}. The matches are attached (redacted).`,
      evidence,
    );
  }
  return passed(
    `No ${pattern} events in ${logGroup} ${during ?? `since the deployment at ${since.toISOString()}`}.`,
    evidence,
  );
}
