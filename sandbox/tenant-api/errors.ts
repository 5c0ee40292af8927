/** Errors of the tenant API's own code; the errors it answers with are in sandbox/api-common/errors.ts. */

/** The route table names a path parameter the operation does not get: a bug in this package. */
export class RouteTableError extends Error {
  constructor(parameter: string) {
    super(
      `The route is missing path parameter {${parameter}}. Fix sandbox/tenant-api/routes.ts and rebuild.`,
    );
    this.name = "RouteTableError";
  }
}
