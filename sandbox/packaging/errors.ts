/** The build spec cannot produce a package (unknown service, route, fault option...). */
export class BuildSpecError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`Cannot build the deployment package: ${problems.join("; ")}. Fix the build spec and try again.`);
    this.name = "BuildSpecError";
    this.problems = problems;
  }
}

/** esbuild could not bundle a handler: a broken source file or a dependency missing from node_modules. */
export class BundleError extends Error {
  readonly entry: string;
  constructor(entry: string, options: { cause: unknown }) {
    super(
      `Bundling ${entry} with esbuild failed. Run 'npx tsc -p .' to find the broken source, and 'npm ci' if a dependency is missing.`,
      options,
    );
    this.name = "BundleError";
    this.entry = entry;
  }
}
