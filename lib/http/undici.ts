import { createRequire } from "node:module";

const load = createRequire(import.meta.url);

/**
 * undici, loaded on first use: Playwright's runner imports the specs only to list them and sends nothing,
 * and loading undici cost it about 0.15 s before any worker could start. undici is CommonJS, so this is
 * the module a static import would get.
 */
export function undici(): typeof import("undici") {
  return load("undici") as typeof import("undici");
}
