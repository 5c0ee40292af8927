// Test data: a Playwright project with a spec that fails to load.
import { defineConfig } from "@playwright/test";

export default defineConfig({ testDir: "broken-specs" });
