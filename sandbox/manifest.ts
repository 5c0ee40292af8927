/**
 * The sandbox's manifest: its environments, the services and their functions, the names of what is
 * seeded, and every fault kind it can inject. Accounts, deploy, packaging, the handlers and the CLI
 * read these lists from here, and docs/sandbox-interface.md and the README list the same fault kinds
 * (tests/sandbox/manifest.test.ts checks both).
 *
 * Plain data without Node APIs or zod: it is bundled into every Lambda package, and the CLI loads it
 * before the sandbox bundle.
 */

export const environmentNames = ["dev", "sit", "prod"] as const;
export type EnvironmentName = (typeof environmentNames)[number];

export const serviceNames = ["tenant-instance-management", "access-management"] as const;
export type ServiceName = (typeof serviceNames)[number];

/** The Access Management service's functions; the tenant service is a single function. */
export const accessFunctionKinds = ["authorizer", "roles", "audit"] as const;
export type AccessFunctionKind = (typeof accessFunctionKinds)[number];

/** Resource names of one environment; one place so seeding, deploy and tests agree. */
export function namesFor(env: EnvironmentName) {
  return {
    profile: `bbws-${env}`,
    tenantFunction: `bbws-tenant-instance-management-${env}`,
    accessFunction: (kind: AccessFunctionKind) => `bbws-access-${env}-lambda-${kind}`,
    liveAlias: `latest-${env}`,
    tables: {
      tenants: `bbws-tenants-${env}`,
      instances: `bbws-instances-${env}`,
      invitations: `bbws-invitations-${env}`,
      deployments: `bbws-deployments-${env}`,
    },
    ssmDeployedVersion: `/bbws-access/${env}/deployed-version`,
    userPool: `bbws-user-pool-${env}`,
    appClient: `bbws-smoke-${env}`,
    smokeUsername: "smoke-test@bbws.example",
    tenantAlarmPrefix: `bbws-tenant-instance-management-${env}`,
    accessAlarm: (kind: AccessFunctionKind) => `bbws-access-${env}-lambda-${kind}-errors`,
  } as const;
}

/** Functions of a service in an environment. */
export function functionsOf(service: ServiceName, env: EnvironmentName): string[] {
  const names = namesFor(env);
  return service === "tenant-instance-management"
    ? [names.tenantFunction]
    : accessFunctionKinds.map((kind) => names.accessFunction(kind));
}

interface FaultEntry {
  kind: string;
  /**
   * `package`: compiled into the deployment package by sandbox/packaging (the code is the defect);
   * `platform`: applied by the deploy on the AWS side (reserved concurrency, alarm state).
   */
  layer: "package" | "platform";
  /** A fault that acts on one route: the tenant route it defaults to (access functions: their own route). */
  defaultRoute?: string;
  /** A fault that delays: the default delay in ms (comfortably more than 3x the baseline latency). */
  defaultDelayMs?: number;
  /** Services the fault cannot have, with the reason given to whoever asks for it. */
  notFor?: Partial<Record<ServiceName, string>>;
}

/** Every fault the sandbox can inject, one entry each, in the order the CLI and errors list them. */
export const faultManifest = [
  { kind: "endpoint-5xx", layer: "package", defaultRoute: "POST /tenants/{id}/park" },
  { kind: "slow-endpoint", layer: "package", defaultRoute: "GET /tenants", defaultDelayMs: 1500 },
  { kind: "contract-drift", layer: "package", defaultRoute: "GET /tenants/{id}" },
  { kind: "auth-not-enforced", layer: "package" },
  { kind: "health-crash", layer: "package" },
  // Half of all invocations crash (any route, health included), at random: a canary's error-rate target.
  { kind: "flaky", layer: "package" },
  {
    kind: "writes-not-persisted",
    layer: "package",
    notFor: { "access-management": "which writes nothing" },
  },
  { kind: "wrong-version", layer: "package" },
  { kind: "log-errors", layer: "package" },
  { kind: "throttling", layer: "platform" },
  { kind: "alarm-in-alarm", layer: "platform" },
] as const satisfies readonly FaultEntry[];

type FaultManifestEntry = (typeof faultManifest)[number];
export type FaultKind = FaultManifestEntry["kind"];
export type PackageFaultKind = Extract<FaultManifestEntry, { layer: "package" }>["kind"];
export type PlatformFaultKind = Extract<FaultManifestEntry, { layer: "platform" }>["kind"];

const entries: readonly FaultEntry[] = faultManifest;

export const faultKinds: readonly FaultKind[] = faultManifest.map((fault) => fault.kind);

/** Faults built into the package (by sandbox/packaging). */
export const packageFaultKinds: readonly PackageFaultKind[] = faultManifest.flatMap((fault) =>
  fault.layer === "package" ? [fault.kind] : [],
);

/** Faults applied on the platform by the deploy. */
export const platformFaultKinds: readonly PlatformFaultKind[] = faultManifest.flatMap((fault) =>
  fault.layer === "platform" ? [fault.kind] : [],
);

function entryOf(kind: string): FaultEntry | undefined {
  return entries.find((fault) => fault.kind === kind);
}

export function isPackageFaultKind(value: string): value is PackageFaultKind {
  return entryOf(value)?.layer === "package";
}

/** Whether the fault acts on one route (and takes `route`). */
export function isRoutedFault(kind: string): boolean {
  return entryOf(kind)?.defaultRoute !== undefined;
}

/** Whether the fault takes `delayMs`. */
export function isDelayedFault(kind: string): boolean {
  return entryOf(kind)?.defaultDelayMs !== undefined;
}

/** Fault kinds that act on one route. */
export const routedFaultKinds: readonly PackageFaultKind[] = packageFaultKinds.filter(isRoutedFault);

/** Fault kinds that take a delay. */
export const delayedFaultKinds: readonly PackageFaultKind[] = packageFaultKinds.filter(isDelayedFault);

/** The tenant route a routed fault defaults to; undefined for a fault without a route. */
export function defaultTenantRoute(kind: FaultKind): string | undefined {
  return entryOf(kind)?.defaultRoute;
}

/** The default delay of a delaying fault; undefined for a fault that takes no delay. */
export function defaultDelayMs(kind: FaultKind): number | undefined {
  return entryOf(kind)?.defaultDelayMs;
}

/** Why `service` cannot have the fault; undefined when it can. */
export function faultUnavailableReason(kind: FaultKind, service: ServiceName): string | undefined {
  return entryOf(kind)?.notFor?.[service];
}
