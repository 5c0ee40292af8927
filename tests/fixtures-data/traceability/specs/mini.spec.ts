import { test } from "@playwright/test";

const verifies = (...ids: string[]) => ({
  annotation: ids.map((description) => ({ type: "runbook-item", description })),
});

test("health answers", verifies("mini/1/health"), () => {});

test.describe("auth", verifies("mini/1/auth"), () => {
  test("401 without a token", () => {});
  test("200 with a token", { annotation: { type: "issue", description: "not a runbook item" } }, () => {});
});

test("declares an id no runbook has", verifies("mini/9/typo", "mini/1/health"), () => {});

test("declares nothing", () => {});
