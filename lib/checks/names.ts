/** Name helpers the post-deploy specs use, from lib/config (the runbooks' templates). */
import type { Service } from "../../runbooks/index.ts";

export {
  alarmPrefix,
  aliasName,
  deploymentsTable,
  deploymentsTableOf,
  expandTemplate,
  functionNames,
  logGroup,
  ssmParameter,
  tableNames,
} from "../config/index.ts";

/** Prefix of the rollback aliases, e.g. "backup-". */
export function backupAliasPrefix(service: Service): string {
  return service.backupAliasPrefix;
}
