/**
 * The seed request of `POST {controlUrl}/seed`, `npm run sandbox -- seed` and `sb.seed()`: actions that
 * set up the past of one environment (metric datapoints, log events, alarm states, deployment ages, SSM
 * values) for tests of checks that read history. Validated as a whole before anything is applied; every
 * problem is named with the valid values (docs/sandbox-interface.md, "Seeding the past").
 */
import { z } from "zod";
import { SandboxUsageError } from "./errors.ts";
import { type LogLevel, logLevels } from "./function-logs.ts";
import { type EnvironmentName, environmentNames, functionsOf, serviceNames } from "./manifest.ts";

export const seedActionKinds = [
  "metric",
  "clear-metrics",
  "log",
  "alarm-state",
  "deployment-age",
  "ssm",
] as const;
export type SeedActionKind = (typeof seedActionKinds)[number];

export const seedMetricNames = ["Errors", "Throttles", "Invocations", "Duration"] as const;
export type SeedMetricName = (typeof seedMetricNames)[number];

export const seedAlarmStates = ["ALARM", "OK", "INSUFFICIENT_DATA"] as const;
export type SeedAlarmState = (typeof seedAlarmStates)[number];

/** How far back a datapoint or log event may go: PutMetricData's limit (CloudWatch keeps 15 days). */
export const maxMinutesAgo = 14 * 24 * 60;
const maxHoursAgo = 365 * 24;

export type SeedAction =
  | { kind: "metric"; functionName: string; metric: SeedMetricName; value: number; at: Date }
  | { kind: "clear-metrics"; functionName: string; sinceHoursAgo: number | undefined }
  | { kind: "log"; functionName: string; message: string; level: LogLevel; at: Date }
  | { kind: "alarm-state"; alarmName: string; state: SeedAlarmState; hold: boolean; reason: string }
  | { kind: "deployment-age"; functionName: string; hoursAgo: number }
  | { kind: "ssm"; name: string; value: string };

export interface SeedRequest {
  env: EnvironmentName;
  actions: SeedAction[];
}

/** One action as code writes it (what the control route accepts). */
export type SeedActionInput =
  | {
      kind: "metric";
      functionName: string;
      metric: SeedMetricName;
      value: number;
      at?: string;
      minutesAgo?: number;
    }
  | { kind: "clear-metrics"; functionName: string; sinceHoursAgo?: number }
  | {
      kind: "log";
      functionName: string;
      message: string;
      level?: LogLevel;
      at?: string;
      minutesAgo?: number;
    }
  | { kind: "alarm-state"; alarmName: string; state: SeedAlarmState; hold?: boolean; reason?: string }
  | { kind: "deployment-age"; functionName: string; hoursAgo: number }
  | { kind: "ssm"; name: string; value: string };

const functionName = z.string().min(1);
const when = {
  at: z.iso
    .datetime({ offset: true, error: "must be an ISO 8601 time such as 2026-11-22T05:30:00Z" })
    .optional(),
  minutesAgo: z.number().min(0).max(maxMinutesAgo, `must be at most ${maxMinutesAgo} (14 days)`).optional(),
};

const fieldsOf = {
  metric: {
    functionName,
    metric: z.enum(seedMetricNames, {
      error: (issue) =>
        `unknown metric ${JSON.stringify(issue.input)}; valid metrics: ${seedMetricNames.join(", ")}`,
    }),
    value: z.number().min(0).max(1_000_000),
    ...when,
  },
  "clear-metrics": {
    functionName,
    sinceHoursAgo: z.number().gt(0, "must be above 0 (leave it out to clear everything)").optional(),
  },
  log: {
    functionName,
    message: z.string().min(1).max(200_000),
    level: z
      .enum(logLevels, {
        error: (issue) =>
          `unknown level ${JSON.stringify(issue.input)}; valid levels: ${logLevels.join(", ")}`,
      })
      .optional(),
    ...when,
  },
  "alarm-state": {
    alarmName: z.string().min(1).max(255),
    state: z.enum(seedAlarmStates, {
      error: (issue) =>
        `unknown state ${JSON.stringify(issue.input)}; valid states: ${seedAlarmStates.join(", ")}`,
    }),
    hold: z.boolean().optional(),
    reason: z.string().min(1).max(1023).optional(),
  },
  "deployment-age": {
    functionName,
    hoursAgo: z.number().min(0).max(maxHoursAgo, `must be at most ${maxHoursAgo} (a year)`),
  },
  ssm: {
    name: z
      .string()
      .min(1)
      .max(2048)
      .regex(
        /^[a-zA-Z0-9_.\-/]+$/,
        "must be an SSM parameter name such as /bbws-access/dev/deployed-version",
      ),
    value: z.string().min(1).max(4096),
  },
} satisfies Record<SeedActionKind, z.ZodRawShape>;

function strictAction<K extends SeedActionKind, S extends z.ZodRawShape>(kind: K, fields: S) {
  const valid = ["kind", ...Object.keys(fields)].join(", ");
  return z.strictObject(
    { kind: z.literal(kind), ...fields },
    {
      error: (issue) =>
        issue.code === "unrecognized_keys"
          ? `unknown field${issue.keys.length === 1 ? "" : "s"} ${issue.keys.map((key) => JSON.stringify(key)).join(", ")}; a ${kind} action takes ${valid}`
          : undefined,
    },
  );
}

const ActionSchema = z.discriminatedUnion("kind", [
  strictAction("metric", fieldsOf.metric),
  strictAction("clear-metrics", fieldsOf["clear-metrics"]),
  strictAction("log", fieldsOf.log),
  strictAction("alarm-state", fieldsOf["alarm-state"]),
  strictAction("deployment-age", fieldsOf["deployment-age"]),
  strictAction("ssm", fieldsOf.ssm),
]);
type ParsedAction = z.infer<typeof ActionSchema>;

const RequestSchema = z.strictObject(
  {
    env: z.enum(environmentNames, {
      error: (issue) =>
        `unknown environment ${JSON.stringify(issue.input)}; valid environments: ${environmentNames.join(", ")}`,
    }),
    actions: z.array(z.unknown(), { error: "must be an array of seed actions" }).max(10_000),
  },
  {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? `unknown field${issue.keys.length === 1 ? "" : "s"} ${issue.keys.map((key) => JSON.stringify(key)).join(", ")}; a seed request takes env, actions`
        : undefined,
  },
);

function isKind(value: unknown): value is SeedActionKind {
  return seedActionKinds.some((kind) => kind === value);
}

function issueLines(error: z.ZodError, prefix: string): string[] {
  return error.issues.map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter((part) => part !== "").join(".");
    return `  ${path || "(request)"}: ${issue.message}`;
  });
}

/** The time an action names by `at` or `minutesAgo` (neither: now), or the problem with it. */
function resolveTime(
  fields: { at?: string | undefined; minutesAgo?: number | undefined },
  now: number,
): Date | string {
  if (fields.at !== undefined && fields.minutesAgo !== undefined) return "give at or minutesAgo, not both";
  if (fields.minutesAgo !== undefined) return new Date(now - fields.minutesAgo * 60_000);
  if (fields.at === undefined) return new Date(now);
  const at = new Date(fields.at);
  if (at.getTime() > now + 1000) return `${fields.at} is in the future; seed only the past (or now)`;
  if (at.getTime() < now - maxMinutesAgo * 60_000)
    return `${fields.at} is more than 14 days ago, beyond what CloudWatch accepts`;
  return at;
}

/**
 * Validates a seed request from any boundary (control API, CLI, code) against the manifest, naming
 * every problem at once; `now` resolves `minutesAgo`. What only the running sandbox knows (its alarms,
 * a function's live version) is checked by the Seeder before it applies anything.
 */
export function parseSeedRequest(input: unknown, now: number = Date.now()): SeedRequest {
  const problems: string[] = [];
  const parsed = RequestSchema.safeParse(input);
  if (!parsed.success) {
    throw new SandboxUsageError(`The seed request is invalid:\n${issueLines(parsed.error, "").join("\n")}`);
  }
  const env = parsed.data.env;
  const functions = serviceNames.flatMap((service) => functionsOf(service, env));
  const actions: SeedAction[] = [];
  for (const [index, raw] of parsed.data.actions.entries()) {
    const at = `actions[${index}]`;
    const kind: unknown = typeof raw === "object" && raw !== null && "kind" in raw ? raw.kind : undefined;
    if (!isKind(kind)) {
      problems.push(
        `  ${at}.kind: ${kind === undefined ? "missing" : `unknown action ${JSON.stringify(kind)}`}; valid kinds: ${seedActionKinds.join(", ")}`,
      );
      continue;
    }
    const name: unknown =
      typeof raw === "object" && raw !== null && "functionName" in raw ? raw.functionName : undefined;
    const unknownFunction = typeof name === "string" && name !== "" && !functions.includes(name);
    if (unknownFunction) {
      problems.push(
        `  ${at}.functionName: unknown function ${JSON.stringify(name)} in ${env}; valid functions: ${functions.join(", ")}`,
      );
    }
    const result = ActionSchema.safeParse(raw);
    if (!result.success) {
      problems.push(...issueLines(result.error, at));
      continue;
    }
    if (unknownFunction) continue;
    const parsedAction = result.data;
    const action = toAction(parsedAction, now);
    if (typeof action === "string") problems.push(`  ${at}: ${action}`);
    else actions.push(action);
  }
  if (problems.length > 0) {
    throw new SandboxUsageError(`The seed request is invalid; nothing was applied:\n${problems.join("\n")}`);
  }
  return { env, actions };
}

/** The parsed action with its defaults and resolved time, or the problem with it. */
function toAction(action: ParsedAction, now: number): SeedAction | string {
  switch (action.kind) {
    case "metric": {
      const at = resolveTime(action, now);
      if (typeof at === "string") return at;
      const { metric, value } = action;
      if (metric !== "Duration" && (!Number.isInteger(value) || value < 1)) {
        return `value of a ${metric} datapoint is a count of invocations: a whole number of at least 1, not ${value}`;
      }
      return { kind: "metric", functionName: action.functionName, metric, value, at };
    }
    case "clear-metrics":
      return {
        kind: "clear-metrics",
        functionName: action.functionName,
        sinceHoursAgo: action.sinceHoursAgo,
      };
    case "log": {
      const at = resolveTime(action, now);
      if (typeof at === "string") return at;
      return {
        kind: "log",
        functionName: action.functionName,
        message: action.message,
        level: action.level ?? "INFO",
        at,
      };
    }
    case "alarm-state": {
      const hold = action.hold ?? action.state === "ALARM";
      const reason =
        action.reason ??
        `Threshold Crossed: set to ${action.state} by the sandbox's seed${hold ? " and held there" : ""}`;
      return { kind: "alarm-state", alarmName: action.alarmName, state: action.state, hold, reason };
    }
    case "deployment-age":
      return { kind: "deployment-age", functionName: action.functionName, hoursAgo: action.hoursAgo };
    case "ssm":
      return { kind: "ssm", name: action.name, value: action.value };
  }
}
