/** AWS resource names of a service in an environment, expanded from the templates in runbooks/services.ts. */
import { services } from "../../runbooks/index.ts";
import type { EnvironmentId, Service } from "../../runbooks/schema.ts";

/** Replaces `{name}` placeholders; an unknown placeholder is a bug in runbooks/services.ts, so it throws. */
export function expandTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{([a-z]+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) {
      throw new Error(
        `Template ${template} uses {${name}}, which is not one of ${Object.keys(values).join(", ")}.`,
      );
    }
    return value;
  });
}

/** Function names of the service in the environment, e.g. ["bbws-tenant-instance-management-sit"]. */
export function functionNames(service: Service, envId: EnvironmentId): string[] {
  return service.functions.map((template) => expandTemplate(template, { env: envId }));
}

/** The alias the environment serves from, e.g. "latest-sit". */
export function aliasName(service: Service, envId: EnvironmentId): string {
  return expandTemplate(service.aliasTemplate, { env: envId });
}

/** Whether an alias is one of the rollback aliases (backup-*) the runbooks create before moving the alias. */
export function isBackupAlias(service: Service, alias: string): boolean {
  return alias.startsWith(service.backupAliasPrefix);
}

/** CloudWatch alarm-name prefix, e.g. "bbws-access-prod". */
export function alarmPrefix(service: Service, envId: EnvironmentId): string {
  return expandTemplate(service.alarmPrefixTemplate, { env: envId });
}

/** Log group of a function: "/aws/lambda/<fn>" (or the service's own template when given). */
export function logGroup(functionName: string, service?: Service): string {
  return expandTemplate(service?.logGroupTemplate ?? "/aws/lambda/{function}", { function: functionName });
}

/** The service's data tables in the environment (not the deployments table). */
export function tableNames(service: Service, envId: EnvironmentId): string[] {
  return service.tables.map((template) => expandTemplate(template, { env: envId }));
}

/** The deployment-record table, e.g. "bbws-deployments-sit", or null when the service keeps none. */
export function deploymentsTable(service: Service, envId: EnvironmentId): string | null {
  return service.deploymentsTable === null ? null : expandTemplate(service.deploymentsTable, { env: envId });
}

/**
 * The environment's own deployments table, e.g. "bbws-deployments-sit", whichever service runs: the tenant
 * service's, where both services keep their deploy lock and rollback records (the access service keeps no
 * deployments table of its own).
 */
export function deploymentsTableOf(envId: EnvironmentId): string {
  const table = deploymentsTable(services["tenant-instance-management"], envId);
  if (table === null) {
    throw new Error(
      "runbooks/services.ts gives the tenant service no deploymentsTable, so the environment's deploy locks and rollback records have nowhere to live.",
    );
  }
  return table;
}

/** SSM parameter holding the deployed version, e.g. "/bbws-access/sit/deployed-version", or null. */
export function ssmParameter(service: Service, envId: EnvironmentId): string | null {
  const template = service.ssmDeployedVersionParameter;
  return template === null ? null : expandTemplate(template, { env: envId });
}

export interface ServiceNames {
  functions: string[];
  alias: string;
  backupAliasPrefix: string;
  alarmPrefix: string;
  logGroups: Record<string, string>;
  tables: string[];
  deploymentsTable: string | null;
  ssmDeployedVersionParameter: string | null;
}

/** Every name of the service in the environment at once. */
export function serviceNames(service: Service, envId: EnvironmentId): ServiceNames {
  const functions = functionNames(service, envId);
  return {
    functions,
    alias: aliasName(service, envId),
    backupAliasPrefix: service.backupAliasPrefix,
    alarmPrefix: alarmPrefix(service, envId),
    logGroups: Object.fromEntries(functions.map((fn) => [fn, logGroup(fn, service)])),
    tables: tableNames(service, envId),
    deploymentsTable: deploymentsTable(service, envId),
    ssmDeployedVersionParameter: ssmParameter(service, envId),
  };
}
