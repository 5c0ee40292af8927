/**
 * The maintenance window of a PROD promotion (tenant runbook 7.2; access runbook 4.2 "off-peak", 4.3.1): the
 * windows are data (environments' policy.maintenanceWindows), the workflow's maintenance_window input is
 * checked, not assumed, and only an attested emergency change lets a promotion run outside every window.
 */
import { type Finding, failed, passed } from "./finding.ts";

/** One UTC window in minutes after midnight; `end` <= `start` wraps past midnight. */
export interface UtcWindow {
  readonly label: string;
  readonly startMinute: number;
  readonly endMinute: number;
}

const minutes = (hhmm: string): number => {
  const [h, m] = hhmm.split(":").map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

/** Parses "22:00-23:00,02:00-03:00" (the schema has checked the shape); "" is no window. */
export function parseMaintenanceWindows(spec: string): UtcWindow[] {
  if (spec.trim() === "") return [];
  return spec.split(",").map((range) => {
    const [start = "00:00", end = "00:00"] = range.trim().split("-");
    return { label: `${start}-${end} UTC`, startMinute: minutes(start), endMinute: minutes(end) };
  });
}

/** Whether `now` (UTC) falls inside the window: start inclusive, end exclusive. */
export function insideWindow(window: UtcWindow, now: Date): boolean {
  const minute = now.getUTCHours() * 60 + now.getUTCMinutes();
  return window.startMinute < window.endMinute
    ? minute >= window.startMinute && minute < window.endMinute
    : minute >= window.startMinute || minute < window.endMinute;
}

export interface MaintenanceWindowInput {
  readonly environmentName: string;
  /** The environment's policy.maintenanceWindowRequired. */
  readonly required: boolean;
  readonly windows: readonly UtcWindow[];
  readonly now: Date;
  /** The workflow's maintenance_window input: true, false, or null when it was not given at all. */
  readonly confirmed: boolean | null;
  /** The emergency change's attestation: attested (with who and the reference), or why it is not. */
  readonly emergency:
    | { readonly status: "attested"; readonly by: string; readonly reference: string }
    | { readonly status: "missing"; readonly reason: string };
  /** The exact command that records an emergency change for these bits. */
  readonly emergencyCommand: string;
}

/** Inside a window with the input confirmed passes; outside every window only an attested emergency passes. */
export function judgeMaintenanceWindow(input: MaintenanceWindowInput): Finding {
  const time = input.now.toISOString().slice(11, 16);
  const list = input.windows.map((w) => w.label).join(", ") || "none configured";
  const evidence = {
    now: input.now.toISOString(),
    windows: input.windows.map((w) => w.label),
    confirmed: input.confirmed,
    emergency: input.emergency,
  };
  if (!input.required) {
    return passed(`${input.environmentName} needs no maintenance window for a promotion.`, evidence);
  }
  const inside = input.windows.find((w) => insideWindow(w, input.now));
  if (input.emergency.status === "attested") {
    return passed(
      `EMERGENCY change ${input.emergency.reference} approved by ${input.emergency.by}: the promotion may run at ${time} UTC ${inside ? `(inside ${inside.label})` : `outside the maintenance windows (${list})`}. This is a deviation the change request must report.`,
      { ...evidence, deviation: "emergency change" },
    );
  }
  if (!inside) {
    return failed(
      `It is ${time} UTC, outside every maintenance window of ${input.environmentName} (${list}); ${input.emergency.reason}. Promote inside a window, or record the change board's approval of an emergency change: ${input.emergencyCommand}`,
      evidence,
    );
  }
  if (input.confirmed !== true) {
    return failed(
      `The promotion runs inside ${inside.label}, but the maintenance window was ${input.confirmed === false ? "not confirmed (maintenance_window=false)" : "never confirmed"}. Start it with the workflow input maintenance_window=true (locally: --maintenance-window-confirmed or HARNESS_MAINTENANCE_WINDOW_CONFIRMED=true).`,
      evidence,
    );
  }
  return passed(
    `It is ${time} UTC, inside the maintenance window ${inside.label}, and maintenance_window=true confirms it.`,
    evidence,
  );
}
