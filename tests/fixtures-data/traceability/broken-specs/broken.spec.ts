import { test } from "@playwright/test";

test("never listed", () => {});

throw new Error("this spec fails while loading, on purpose");
