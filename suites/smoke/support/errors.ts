/** A smoke check failed: names the endpoint, the operation and the runbook items the test verifies. */
export class SmokeCheckError extends Error {
  readonly endpoint: string;
  readonly operationId: string;
  readonly items: readonly string[];
  readonly problems: readonly string[];

  constructor(
    endpoint: string,
    operationId: string,
    items: readonly string[],
    problems: readonly string[],
    options?: ErrorOptions,
  ) {
    const itemText = items.length > 0 ? items.join(", ") : "(no runbook item declared)";
    // The first line carries endpoint, item and the first problem: reports that show one line show enough.
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : "";
    super(
      `${endpoint} (${operationId}) failed runbook item ${itemText}: ${problems[0] ?? "unknown problem"}${more}\n` +
        problems.map((problem) => `  - ${problem}`).join("\n") +
        "\nThe deployed build does not behave as docs/tenant-api-contract.md says; hold the promotion or roll back.",
      options,
    );
    this.name = "SmokeCheckError";
    this.endpoint = endpoint;
    this.operationId = operationId;
    this.items = items;
    this.problems = problems;
  }
}
