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
    const itemText = items.length > 0 ? items.join(", ") : "no runbook item declared";
    super(
      `${endpoint} (${operationId}) failed the smoke check for runbook item ${itemText}:\n` +
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
