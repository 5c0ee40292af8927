import { readFileSync } from "node:fs";
import { VerdictInvalidError } from "./errors.ts";
import { type Verdict, VerdictSchema } from "./schema.ts";

/** Reads and schema-checks a verdict file; throws VerdictInvalidError with every problem listed. */
export function readVerdict(file: string): Verdict {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new VerdictInvalidError(file, "it is missing or not valid JSON", { cause: error });
  }
  const parsed = VerdictSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`,
    );
    throw new VerdictInvalidError(file, `it does not match the verdict schema (${problems.join("; ")})`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}
