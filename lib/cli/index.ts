/** What the harness's commands share: the help layout and argument plumbing. */
export {
  type FlagOptions,
  type ParsedFlags,
  parseArgsProblem,
  parseFlags,
  runWhenMain,
  wantsHelp,
} from "./args.ts";
export { formatHelp, HELP_ENTRY, type HelpEntry, type HelpSpec, helpHint } from "./help.ts";
export { formatTapTotals, readTapTotals, type TapTotals } from "./tap-summary.ts";
