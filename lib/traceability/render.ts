/** The runbook back as Markdown, from the code: what `npm run runbook -- render <id>` prints. */
import type { Environment, EnvironmentId, Runbook, RunbookItem, Threshold } from "../../runbooks/index.ts";

/** "1 h", "24 h", "5 min", "30 s". */
export function formatDuration(seconds: number): string {
  if (seconds >= 3600 && seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds >= 60 && seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** One threshold in words, e.g. "lambda.errors < 10 count over 1 h". */
export function formatThreshold(threshold: Threshold): string {
  const parts = [`${threshold.metric} ${threshold.comparison} ${threshold.value} ${threshold.unit}`];
  if (threshold.windowSeconds !== undefined) parts.push(`over ${formatDuration(threshold.windowSeconds)}`);
  if (threshold.forSeconds !== undefined) parts.push(`for ${formatDuration(threshold.forSeconds)}`);
  if (threshold.sense === "trigger") parts.push("(trigger: acts when this holds)");
  if (threshold.zeroTrafficOk) parts.push("(no data counts as a pass)");
  return parts.join(" ");
}

export interface RenderOptions {
  /** Tested items from collectTestedItems; undefined = tests were not listed. */
  tested?: ReadonlyMap<string, readonly string[]> | undefined;
  /** Environment facts for the header table. */
  environments?: Readonly<Record<EnvironmentId, Environment>> | undefined;
}

function verification(item: RunbookItem, tested: RenderOptions["tested"]): string[] {
  if (item.kind === "attested") {
    const tests = tested?.get(item.id) ?? [];
    return [
      `Attested by ${item.attestedBy ?? "(nobody named)"}`,
      ...tests.map((title) => `Also tested by \`${title}\``),
    ];
  }
  if (tested === undefined) return ["Verification not listed (run without --no-tests to see the tests)"];
  const tests = tested.get(item.id) ?? [];
  return tests.length === 0
    ? ["**NOT VERIFIED**: no test declares this item"]
    : tests.map((t) => `Verified by \`${t}\``);
}

function environmentTable(environments: Readonly<Record<EnvironmentId, Environment>>): string[] {
  const rows = Object.values(environments).map(
    (env) =>
      `| ${env.displayName} | ${env.accountId} | ${env.region} | ${env.apiUrl} | ${env.autoDeploy ? "yes" : "no"} | ${env.approvalsRequired} | ${env.policy.readOnly ? "yes" : "no"} | ${env.policy.maintenanceWindowRequired ? "yes" : "no"} | ${formatDuration(env.monitoring.windowSeconds)} |`,
  );
  return [
    "| environment | account | region | API URL | auto-deploy | approvals | read-only | maintenance window | monitoring window |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
  ];
}

/** Renders a runbook: sections, checklist items, thresholds and who or what verifies each item. */
export function renderRunbookMarkdown(runbook: Runbook, options: RenderOptions = {}): string {
  const lines: string[] = [
    `# ${runbook.title} (\`${runbook.id}\`)`,
    "",
    `Service: \`${runbook.service}\`. Source: ${runbook.source}.`,
    `Generated from the code in runbooks/ by \`npm run runbook -- render ${runbook.id}\`; edit the code, not this text.`,
    "",
  ];
  if (options.environments !== undefined) lines.push(...environmentTable(options.environments), "");

  let automated = 0;
  let verified = 0;
  let attested = 0;
  for (const section of runbook.sections) {
    lines.push(`## ${section.number} ${section.title}`, "");
    lines.push(
      section.suite === "none" ? "No suite: every item is attested." : `Suite: \`${section.suite}\``,
      "",
    );
    if (section.notes !== undefined) lines.push(`> ${section.notes}`, "");
    for (const item of section.items) {
      if (item.kind === "attested") attested++;
      else {
        automated++;
        if ((options.tested?.get(item.id)?.length ?? 0) > 0) verified++;
      }
      const done = item.kind === "automated" && (options.tested?.get(item.id)?.length ?? 0) > 0;
      lines.push(
        `- [${done ? "x" : " "}] ${item.title}  `,
        `  \`${item.id}\` · ${item.kind} · ${item.environments.join(", ")}${item.suite !== undefined && item.suite !== section.suite ? ` · suite \`${item.suite}\`` : ""}`,
      );
      for (const threshold of item.thresholds) lines.push(`  - Threshold: ${formatThreshold(threshold)}`);
      for (const line of verification(item, options.tested)) lines.push(`  - ${line}`);
      if (item.notes !== undefined) lines.push(`  - Note: ${item.notes}`);
    }
    lines.push("");
  }
  const verifiedText =
    options.tested === undefined
      ? "tests not listed"
      : `${verified} verified by a test, ${automated - verified} NOT VERIFIED`;
  lines.push(`Items: ${automated} automated (${verifiedText}), ${attested} attested.`);
  return `${lines.join("\n")}\n`;
}
