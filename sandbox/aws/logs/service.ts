/**
 * CloudWatch Logs (JSON 1.1, `X-Amz-Target: Logs_20140328.<Op>`): log groups, streams and events per
 * (account, region), with the operations the runbooks use. Lambda writes its START/END/REPORT and
 * handler lines here through `append`, exactly where the SDK reads them back.
 */
import { z } from "zod";
import { AwsServiceError } from "../errors.ts";
import { type CallContext, decodeToken, encodeToken, type Operation, Regional } from "../regional.ts";
import { parseInput } from "../validation.ts";
import { compileFilterPattern } from "./filter-pattern.ts";

interface LogEventRecord {
  timestamp: number;
  message: string;
  ingestionTime: number;
  seq: number;
}

interface LogStreamRecord {
  name: string;
  creationTime: number;
  events: LogEventRecord[];
  lastIngestionTime: number | undefined;
  storedBytes: number;
}

interface LogGroupRecord {
  name: string;
  creationTime: number;
  streams: Map<string, LogStreamRecord>;
  retentionInDays: number | undefined;
}

interface RegionLogs {
  groups: Map<string, LogGroupRecord>;
}

/** A stream keeps at most this many events; the oldest tenth is dropped beyond it (memory bound). */
const MAX_EVENTS_PER_STREAM = 100_000;
const DAY_MS = 24 * 60 * 60 * 1000;

const invalidParameter = (message: string) => new AwsServiceError("InvalidParameterException", message);
const notFound = (message: string) => new AwsServiceError("ResourceNotFoundException", message);

const LogGroupNameSchema = z
  .string()
  .min(1)
  .max(512)
  .regex(/^[.\-_/#A-Za-z0-9]+$/, "Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+");
const LogStreamNameSchema = z
  .string()
  .min(1)
  .max(512)
  .regex(/^[^:*]*$/, "Member must satisfy regular expression pattern: [^:*]*");
const LimitSchema = (max: number) => z.number().int().min(1).max(max);

/** Accepts a log group name or its ARN (logGroupIdentifier). */
function groupNameFrom(identifier: string): string {
  const arn = /^arn:aws[a-z-]*:logs:[^:]+:\d{12}:log-group:([^:]+)(:\*)?$/.exec(identifier);
  return arn?.[1] ?? identifier;
}

/** The log group a request names by logGroupName or logGroupIdentifier (a name or an ARN); one is required. */
function requiredGroupName(request: {
  logGroupName?: string | undefined;
  logGroupIdentifier?: string | undefined;
}): string {
  const groupName = request.logGroupName ?? groupNameFrom(request.logGroupIdentifier ?? "");
  if (groupName === "")
    throw invalidParameter("Either logGroupName or logGroupIdentifier must be specified.");
  return groupName;
}

export class LogsBackend {
  readonly #regions = new Regional<RegionLogs>(() => ({ groups: new Map() }));
  readonly #now: () => number;
  #seq = 0;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  #group(ctx: { accountId: string; region: string }, name: string): LogGroupRecord {
    const group = this.#regions.peek(ctx.accountId, ctx.region)?.groups.get(name);
    if (!group) throw notFound("The specified log group does not exist.");
    return group;
  }

  #stream(group: LogGroupRecord, name: string): LogStreamRecord {
    const stream = group.streams.get(name);
    if (!stream) throw notFound("The specified log stream does not exist.");
    return stream;
  }

  #insert(stream: LogStreamRecord, timestamp: number, message: string, ingestionTime: number): void {
    const event = { timestamp, message, ingestionTime, seq: this.#seq++ };
    const events = stream.events;
    const last = events[events.length - 1];
    if (!last || last.timestamp <= timestamp) events.push(event);
    else {
      let lo = 0;
      let hi = events.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if ((events[mid]?.timestamp ?? 0) <= timestamp) lo = mid + 1;
        else hi = mid;
      }
      events.splice(lo, 0, event);
    }
    stream.storedBytes += Buffer.byteLength(message) + 26;
    stream.lastIngestionTime = ingestionTime;
    if (events.length > MAX_EVENTS_PER_STREAM) events.splice(0, Math.floor(MAX_EVENTS_PER_STREAM / 10));
  }

  /**
   * Appends events, creating the group and stream when missing (how Lambda's own logging and the
   * orchestration's seeding write). Events are stored in timestamp order.
   */
  append(
    accountId: string,
    region: string,
    groupName: string,
    streamName: string,
    events: ReadonlyArray<{ timestamp: number; message: string }>,
  ): void {
    const now = this.#now();
    const regionLogs = this.#regions.get(accountId, region);
    let group = regionLogs.groups.get(groupName);
    if (!group) {
      group = { name: groupName, creationTime: now, streams: new Map(), retentionInDays: undefined };
      regionLogs.groups.set(groupName, group);
    }
    let stream = group.streams.get(streamName);
    if (!stream) {
      stream = {
        name: streamName,
        creationTime: now,
        events: [],
        lastIngestionTime: undefined,
        storedBytes: 0,
      };
      group.streams.set(streamName, stream);
    }
    for (const event of events) this.#insert(stream, event.timestamp, event.message, now);
  }

  #groupArn(ctx: { accountId: string; region: string }, name: string): string {
    return `arn:aws:logs:${ctx.region}:${ctx.accountId}:log-group:${name}`;
  }

  createLogGroup(input: unknown, ctx: CallContext): Record<string, never> {
    const request = parseInput(
      z.object({ logGroupName: LogGroupNameSchema, tags: z.record(z.string(), z.string()).optional() }),
      input,
      invalidParameter,
    );
    const regionLogs = this.#regions.get(ctx.accountId, ctx.region);
    if (regionLogs.groups.has(request.logGroupName)) {
      throw new AwsServiceError("ResourceAlreadyExistsException", "The specified log group already exists");
    }
    regionLogs.groups.set(request.logGroupName, {
      name: request.logGroupName,
      creationTime: this.#now(),
      streams: new Map(),
      retentionInDays: undefined,
    });
    return {};
  }

  deleteLogGroup(input: unknown, ctx: CallContext): Record<string, never> {
    const request = parseInput(z.object({ logGroupName: LogGroupNameSchema }), input, invalidParameter);
    this.#group(ctx, request.logGroupName);
    this.#regions.get(ctx.accountId, ctx.region).groups.delete(request.logGroupName);
    return {};
  }

  createLogStream(input: unknown, ctx: CallContext): Record<string, never> {
    const request = parseInput(
      z.object({ logGroupName: LogGroupNameSchema, logStreamName: LogStreamNameSchema }),
      input,
      invalidParameter,
    );
    const group = this.#group(ctx, request.logGroupName);
    if (group.streams.has(request.logStreamName)) {
      throw new AwsServiceError("ResourceAlreadyExistsException", "The specified log stream already exists");
    }
    group.streams.set(request.logStreamName, {
      name: request.logStreamName,
      creationTime: this.#now(),
      events: [],
      lastIngestionTime: undefined,
      storedBytes: 0,
    });
    return {};
  }

  putLogEvents(input: unknown, ctx: CallContext): unknown {
    const request = parseInput(
      z.object({
        logGroupName: LogGroupNameSchema,
        logStreamName: LogStreamNameSchema,
        logEvents: z
          .array(z.object({ timestamp: z.number().int().min(0), message: z.string().min(1) }))
          .min(1)
          .max(10_000),
        sequenceToken: z.string().optional(),
      }),
      input,
      invalidParameter,
    );
    const group = this.#group(ctx, request.logGroupName);
    const stream = this.#stream(group, request.logStreamName);
    const events = request.logEvents;
    for (let i = 1; i < events.length; i++) {
      if ((events[i]?.timestamp ?? 0) < (events[i - 1]?.timestamp ?? 0)) {
        throw invalidParameter("Log events in a single PutLogEvents request must be in chronological order.");
      }
    }
    const now = this.#now();
    const tooOld = now - 14 * DAY_MS;
    const tooNew = now + 2 * 60 * 60 * 1000;
    let tooOldEnd: number | undefined;
    let tooNewStart: number | undefined;
    events.forEach((event, index) => {
      if (event.timestamp < tooOld) tooOldEnd = index + 1;
      else if (event.timestamp > tooNew) tooNewStart ??= index;
      else this.#insert(stream, event.timestamp, event.message, now);
    });
    const rejected =
      tooOldEnd === undefined && tooNewStart === undefined
        ? undefined
        : { tooOldLogEventEndIndex: tooOldEnd, tooNewLogEventStartIndex: tooNewStart };
    return { nextSequenceToken: String(this.#seq).padStart(56, "0"), rejectedLogEventsInfo: rejected };
  }

  describeLogGroups(input: unknown, ctx: CallContext): unknown {
    const request = parseInput(
      z.object({
        logGroupNamePrefix: z.string().min(1).max(512).optional(),
        logGroupNamePattern: z.string().min(0).max(512).optional(),
        limit: LimitSchema(50).optional(),
        nextToken: z.string().optional(),
      }),
      input,
      invalidParameter,
    );
    if (request.logGroupNamePrefix !== undefined && request.logGroupNamePattern !== undefined) {
      throw invalidParameter(
        "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.",
      );
    }
    const groups = [...(this.#regions.peek(ctx.accountId, ctx.region)?.groups.values() ?? [])]
      .filter(
        (group) =>
          request.logGroupNamePrefix === undefined || group.name.startsWith(request.logGroupNamePrefix),
      )
      .filter(
        (group) =>
          request.logGroupNamePattern === undefined || group.name.includes(request.logGroupNamePattern),
      )
      .sort((a, b) => (a.name < b.name ? -1 : 1));
    const { page, nextToken } = paginate(groups, request.nextToken, request.limit ?? 50);
    return {
      logGroups: page.map((group) => ({
        logGroupName: group.name,
        creationTime: group.creationTime,
        retentionInDays: group.retentionInDays,
        metricFilterCount: 0,
        arn: `${this.#groupArn(ctx, group.name)}:*`,
        logGroupArn: this.#groupArn(ctx, group.name),
        storedBytes: [...group.streams.values()].reduce((sum, stream) => sum + stream.storedBytes, 0),
        logGroupClass: "STANDARD",
      })),
      nextToken,
    };
  }

  describeLogStreams(input: unknown, ctx: CallContext): unknown {
    const request = parseInput(
      z.object({
        logGroupName: LogGroupNameSchema.optional(),
        logGroupIdentifier: z.string().min(1).max(2048).optional(),
        logStreamNamePrefix: z.string().min(1).max(512).optional(),
        orderBy: z.enum(["LogStreamName", "LastEventTime"]).optional(),
        descending: z.boolean().optional(),
        limit: LimitSchema(50).optional(),
        nextToken: z.string().optional(),
      }),
      input,
      invalidParameter,
    );
    const groupName = requiredGroupName(request);
    if (request.orderBy === "LastEventTime" && request.logStreamNamePrefix !== undefined) {
      throw invalidParameter("Cannot order by LastEventTime with a logStreamNamePrefix.");
    }
    const group = this.#group(ctx, groupName);
    const byTime = request.orderBy === "LastEventTime";
    const lastEvent = (stream: LogStreamRecord) => stream.events[stream.events.length - 1]?.timestamp ?? 0;
    const streams = [...group.streams.values()]
      .filter(
        (stream) =>
          request.logStreamNamePrefix === undefined || stream.name.startsWith(request.logStreamNamePrefix),
      )
      .sort((a, b) =>
        byTime ? lastEvent(a) - lastEvent(b) : a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
      );
    if (request.descending) streams.reverse();
    const { page, nextToken } = paginate(streams, request.nextToken, request.limit ?? 50);
    return {
      logStreams: page.map((stream) => ({
        logStreamName: stream.name,
        creationTime: stream.creationTime,
        firstEventTimestamp: stream.events[0]?.timestamp,
        lastEventTimestamp: stream.events[stream.events.length - 1]?.timestamp,
        lastIngestionTime: stream.lastIngestionTime,
        uploadSequenceToken: String(this.#seq).padStart(56, "0"),
        arn: `arn:aws:logs:${ctx.region}:${ctx.accountId}:log-group:${group.name}:log-stream:${stream.name}`,
        storedBytes: 0,
      })),
      nextToken,
    };
  }

  filterLogEvents(input: unknown, ctx: CallContext): unknown {
    const request = parseInput(
      z.object({
        logGroupName: LogGroupNameSchema.optional(),
        logGroupIdentifier: z.string().min(1).max(2048).optional(),
        logStreamNames: z.array(LogStreamNameSchema).min(1).max(100).optional(),
        logStreamNamePrefix: z.string().min(1).max(512).optional(),
        startTime: z.number().int().min(0).optional(),
        endTime: z.number().int().min(0).optional(),
        filterPattern: z.string().max(1024).optional(),
        nextToken: z.string().optional(),
        limit: LimitSchema(10_000).optional(),
        interleaved: z.boolean().optional(),
        unmask: z.boolean().optional(),
      }),
      input,
      invalidParameter,
    );
    const groupName = requiredGroupName(request);
    if (request.logStreamNames && request.logStreamNamePrefix !== undefined) {
      throw invalidParameter("logStreamNames and logStreamNamePrefix are mutually exclusive parameters.");
    }
    const match = compileFilterPattern(request.filterPattern);
    const group = this.#group(ctx, groupName);
    const wanted = request.logStreamNames ? new Set(request.logStreamNames) : undefined;
    const start = request.startTime ?? Number.NEGATIVE_INFINITY;
    const end = request.endTime ?? Number.POSITIVE_INFINITY;
    const found: Array<LogEventRecord & { logStreamName: string }> = [];
    for (const stream of group.streams.values()) {
      if (wanted && !wanted.has(stream.name)) continue;
      if (request.logStreamNamePrefix !== undefined && !stream.name.startsWith(request.logStreamNamePrefix))
        continue;
      for (const event of stream.events) {
        if (event.timestamp < start || event.timestamp > end) continue;
        if (match(event.message)) found.push({ ...event, logStreamName: stream.name });
      }
    }
    found.sort((a, b) => a.timestamp - b.timestamp || a.seq - b.seq);
    const { page, nextToken } = paginate(found, request.nextToken, request.limit ?? 10_000);
    return {
      events: page.map((event) => ({
        logStreamName: event.logStreamName,
        timestamp: event.timestamp,
        message: event.message,
        ingestionTime: event.ingestionTime,
        eventId: `${String(event.timestamp).padStart(20, "0")}${String(event.seq).padStart(36, "0")}`,
      })),
      searchedLogStreams: [],
      nextToken,
    };
  }

  getLogEvents(input: unknown, ctx: CallContext): unknown {
    const request = parseInput(
      z.object({
        logGroupName: LogGroupNameSchema.optional(),
        logGroupIdentifier: z.string().min(1).max(2048).optional(),
        logStreamName: LogStreamNameSchema,
        startTime: z.number().int().min(0).optional(),
        endTime: z.number().int().min(0).optional(),
        nextToken: z.string().optional(),
        limit: LimitSchema(10_000).optional(),
        startFromHead: z.boolean().optional(),
        unmask: z.boolean().optional(),
      }),
      input,
      invalidParameter,
    );
    const groupName = requiredGroupName(request);
    const stream = this.#stream(this.#group(ctx, groupName), request.logStreamName);
    const start = request.startTime ?? Number.NEGATIVE_INFINITY;
    const end = request.endTime ?? Number.POSITIVE_INFINITY;
    // GetLogEvents' endTime is exclusive, unlike FilterLogEvents'.
    const events = stream.events.filter((event) => event.timestamp >= start && event.timestamp < end);
    const limit = request.limit ?? 10_000;
    // Tokens are "f/<index>" (forward from index) and "b/<index>" (backward, ending before index).
    let from: number;
    let to: number;
    const token = request.nextToken;
    if (token !== undefined) {
      const parsed = /^([fb])\/(\d+)$/.exec(token);
      if (!parsed?.[2]) throw invalidParameter("The specified nextToken is invalid.");
      const index = Math.min(Number(parsed[2]), events.length);
      if (parsed[1] === "f") {
        from = index;
        to = Math.min(events.length, index + limit);
      } else {
        to = index;
        from = Math.max(0, index - limit);
      }
    } else if (request.startFromHead) {
      from = 0;
      to = Math.min(events.length, limit);
    } else {
      to = events.length;
      from = Math.max(0, to - limit);
    }
    return {
      events: events.slice(from, to).map((event) => ({
        timestamp: event.timestamp,
        message: event.message,
        ingestionTime: event.ingestionTime,
      })),
      nextForwardToken: `f/${String(to).padStart(56, "0")}`,
      nextBackwardToken: `b/${String(from).padStart(56, "0")}`,
    };
  }

  /** The wire operations, by X-Amz-Target operation name. */
  operations(): Record<string, Operation> {
    return {
      CreateLogGroup: (input, ctx) => this.createLogGroup(input, ctx),
      DeleteLogGroup: (input, ctx) => this.deleteLogGroup(input, ctx),
      CreateLogStream: (input, ctx) => this.createLogStream(input, ctx),
      PutLogEvents: (input, ctx) => this.putLogEvents(input, ctx),
      DescribeLogGroups: (input, ctx) => this.describeLogGroups(input, ctx),
      DescribeLogStreams: (input, ctx) => this.describeLogStreams(input, ctx),
      FilterLogEvents: (input, ctx) => this.filterLogEvents(input, ctx),
      GetLogEvents: (input, ctx) => this.getLogEvents(input, ctx),
    };
  }
}

function paginate<T>(
  items: readonly T[],
  token: string | undefined,
  limit: number,
): { page: T[]; nextToken?: string } {
  const offset = token === undefined ? 0 : decodeToken(token);
  if (offset === undefined) throw invalidParameter("The specified nextToken is invalid.");
  const page = items.slice(offset, offset + limit);
  const next = offset + limit;
  return next < items.length ? { page, nextToken: encodeToken(next) } : { page };
}
