/**
 * The runbooks as code: environments, services and checklist items, each validated by runbooks/schema.ts
 * when this module loads, so a malformed edit fails every entry point at once.
 */
import type { z } from "zod";
import { accessPromotionRunbook } from "./access-promotion.ts";
import { environmentDefaults } from "./environments.ts";
import { RunbookDataError } from "./errors.ts";
import {
  type Environment,
  type EnvironmentId,
  EnvironmentSchema,
  environmentIds,
  type Runbook,
  type RunbookItem,
  RunbookSchema,
  type RunbookSection,
  type Service,
  type ServiceId,
  ServiceSchema,
  type SuiteId,
  serviceIds,
} from "./schema.ts";
import { serviceDefaults } from "./services.ts";
import { tenantDeployRunbook } from "./tenant-deploy.ts";

export { RunbookDataError } from "./errors.ts";
export * from "./schema.ts";

function formatPath(path: PropertyKey[]): string {
  return path
    .map((part) => (typeof part === "number" ? `[${part}]` : `.${String(part)}`))
    .join("")
    .slice(1);
}

/** Parses runbook data with its schema, throwing a RunbookDataError that lists every issue. */
export function parseRunbookData<S extends z.ZodType>(schema: S, data: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  throw new RunbookDataError(
    what,
    result.error.issues.map((issue) => ({
      path: formatPath(issue.path) || "(root)",
      message: issue.message,
    })),
    { cause: result.error },
  );
}

export const environments: Readonly<Record<EnvironmentId, Environment>> = Object.freeze({
  dev: parseRunbookData(EnvironmentSchema, environmentDefaults.dev, "environment dev"),
  sit: parseRunbookData(EnvironmentSchema, environmentDefaults.sit, "environment sit"),
  prod: parseRunbookData(EnvironmentSchema, environmentDefaults.prod, "environment prod"),
});

export const services: Readonly<Record<ServiceId, Service>> = Object.freeze({
  "tenant-instance-management": parseRunbookData(
    ServiceSchema,
    serviceDefaults["tenant-instance-management"],
    "service tenant-instance-management",
  ),
  "access-management": parseRunbookData(
    ServiceSchema,
    serviceDefaults["access-management"],
    "service access-management",
  ),
});

export const runbooks: readonly Runbook[] = Object.freeze([
  parseRunbookData(RunbookSchema, tenantDeployRunbook, "runbook tenant-deploy"),
  parseRunbookData(RunbookSchema, accessPromotionRunbook, "runbook access-promotion"),
]);

/** A runbook item with where it sits: its runbook, section and the suite that verifies it. */
export interface LocatedRunbookItem extends RunbookItem {
  runbookId: string;
  sectionNumber: string;
  sectionTitle: string;
  suite: SuiteId;
}

function locate(runbook: Runbook, section: RunbookSection, item: RunbookItem): LocatedRunbookItem {
  return {
    ...item,
    runbookId: runbook.id,
    sectionNumber: section.number,
    sectionTitle: section.title,
    suite: item.suite ?? section.suite,
  };
}

/** Every item of the given runbooks (default: the project's), in runbook order. */
export function allRunbookItems(from: readonly Runbook[] = runbooks): LocatedRunbookItem[] {
  return from.flatMap((runbook) =>
    runbook.sections.flatMap((section) => section.items.map((item) => locate(runbook, section, item))),
  );
}

const itemIndex = new Map(allRunbookItems().map((item) => [item.id, item]));

/** The item with this id in the project's runbooks, or undefined. */
export function getRunbookItem(id: string): LocatedRunbookItem | undefined {
  return itemIndex.get(id);
}

/** The runbook with this id, or undefined. */
export function getRunbook(id: string): Runbook | undefined {
  return runbooks.find((runbook) => runbook.id === id);
}

export { environmentIds, serviceIds };
