import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  insideWindow,
  judgeMaintenanceWindow,
  type MaintenanceWindowInput,
  parseMaintenanceWindows,
  type UtcWindow,
} from "../../lib/checks/maintenance.ts";

const at = (hhmm: string) => new Date(`2026-12-05T${hhmm}:00.000Z`);

describe("parseMaintenanceWindows", () => {
  test("one window, in minutes after midnight, labelled UTC", () => {
    assert.deepEqual(parseMaintenanceWindows("22:00-23:00"), [
      { label: "22:00-23:00 UTC", startMinute: 1320, endMinute: 1380 },
    ]);
  });

  test("several windows separated by commas, spaces tolerated", () => {
    assert.deepEqual(parseMaintenanceWindows("22:00-23:00, 02:00-03:00"), [
      { label: "22:00-23:00 UTC", startMinute: 1320, endMinute: 1380 },
      { label: "02:00-03:00 UTC", startMinute: 120, endMinute: 180 },
    ]);
    assert.equal(parseMaintenanceWindows("22:00-23:00,02:00-03:00").length, 2);
  });

  test("an empty spec is no window", () => {
    assert.deepEqual(parseMaintenanceWindows(""), []);
    assert.deepEqual(parseMaintenanceWindows("  "), []);
  });

  test("a window past midnight keeps an end before its start", () => {
    assert.deepEqual(parseMaintenanceWindows("23:30-00:30"), [
      { label: "23:30-00:30 UTC", startMinute: 1410, endMinute: 30 },
    ]);
  });
});

/** The one window of a spec. */
function only(spec: string): UtcWindow {
  const [window, ...more] = parseMaintenanceWindows(spec);
  assert.ok(window && more.length === 0, `${spec} is not one window`);
  return window;
}

describe("insideWindow", () => {
  const evening = only("22:00-23:00");
  const midnight = only("23:30-00:30");

  test("the start minute is inside", () => assert.equal(insideWindow(evening, at("22:00")), true));
  test("the last minute before the end is inside", () =>
    assert.equal(insideWindow(evening, at("22:59")), true));
  test("the end minute is outside", () => assert.equal(insideWindow(evening, at("23:00")), false));
  test("the minute before the start is outside", () =>
    assert.equal(insideWindow(evening, at("21:59")), false));

  test("seconds within the last minute are still inside", () => {
    assert.equal(insideWindow(evening, new Date("2026-12-05T22:59:59.999Z")), true);
  });

  test("a window past midnight holds on both sides of midnight", () => {
    assert.equal(insideWindow(midnight, at("23:29")), false);
    assert.equal(insideWindow(midnight, at("23:30")), true);
    assert.equal(insideWindow(midnight, at("23:59")), true);
    assert.equal(insideWindow(midnight, at("00:00")), true);
    assert.equal(insideWindow(midnight, at("00:29")), true);
    assert.equal(insideWindow(midnight, at("00:30")), false);
    assert.equal(insideWindow(midnight, at("12:00")), false);
  });
});

describe("judgeMaintenanceWindow", () => {
  const windows = parseMaintenanceWindows("22:00-23:00,02:00-03:00");
  const command =
    "npm run attest -- --item tenant-promotion/7.2.1 --env prod --code-sha256 abc --reference CHG-42";
  const input = (over: Partial<MaintenanceWindowInput> = {}): MaintenanceWindowInput => ({
    environmentName: "PROD",
    required: true,
    windows,
    now: at("22:15"),
    confirmed: true,
    emergency: {
      status: "missing",
      reason: "no emergency change is attested (no attestation for these bits)",
    },
    emergencyCommand: command,
    ...over,
  });

  test("inside a window with maintenance_window=true passes", () => {
    const finding = judgeMaintenanceWindow(input());
    assert.equal(finding.status, "passed");
    assert.equal(
      finding.reason,
      "It is 22:15 UTC, inside the maintenance window 22:00-23:00 UTC, and maintenance_window=true confirms it.",
    );
  });

  test("inside the second window passes naming it", () => {
    const finding = judgeMaintenanceWindow(input({ now: at("02:59") }));
    assert.equal(finding.status, "passed");
    assert.match(finding.reason, /^It is 02:59 UTC, inside the maintenance window 02:00-03:00 UTC,/);
  });

  test("inside a window with maintenance_window=false fails and says how to confirm", () => {
    const finding = judgeMaintenanceWindow(input({ confirmed: false }));
    assert.equal(finding.status, "failed");
    assert.equal(
      finding.reason,
      "The promotion runs inside 22:00-23:00 UTC, but the maintenance window was not confirmed (maintenance_window=false). Start it with the workflow input maintenance_window=true (locally: --maintenance-window-confirmed or HARNESS_MAINTENANCE_WINDOW_CONFIRMED=true).",
    );
  });

  test("inside a window with no maintenance_window input fails: never confirmed", () => {
    const finding = judgeMaintenanceWindow(input({ confirmed: null }));
    assert.equal(finding.status, "failed");
    assert.match(
      finding.reason,
      /^The promotion runs inside 22:00-23:00 UTC, but the maintenance window was never confirmed\./,
    );
    assert.match(
      finding.reason,
      /maintenance_window=true \(locally: --maintenance-window-confirmed or HARNESS_MAINTENANCE_WINDOW_CONFIRMED=true\)\.$/,
    );
  });

  test("outside every window fails naming the time, the windows, why no emergency and the command", () => {
    const finding = judgeMaintenanceWindow(input({ now: at("14:05") }));
    assert.equal(finding.status, "failed");
    assert.equal(
      finding.reason,
      `It is 14:05 UTC, outside every maintenance window of PROD (22:00-23:00 UTC, 02:00-03:00 UTC); no emergency change is attested (no attestation for these bits). Promote inside a window, or record the change board's approval of an emergency change: ${command}`,
    );
  });

  test("outside fails even when the input claims a window", () => {
    const finding = judgeMaintenanceWindow(input({ now: at("23:00"), confirmed: true }));
    assert.equal(finding.status, "failed");
    assert.match(finding.reason, /^It is 23:00 UTC, outside every maintenance window of PROD/);
  });

  test("a required window with none configured says so", () => {
    const finding = judgeMaintenanceWindow(input({ windows: [] }));
    assert.equal(finding.status, "failed");
    assert.match(finding.reason, /outside every maintenance window of PROD \(none configured\);/);
  });

  test("outside with an attested emergency passes as an EMERGENCY deviation", () => {
    const finding = judgeMaintenanceWindow(
      input({
        now: at("14:05"),
        confirmed: null,
        emergency: { status: "attested", by: "alice@example.com", reference: "CHG-42" },
        emergencyCommand: "",
      }),
    );
    assert.equal(finding.status, "passed");
    assert.equal(
      finding.reason,
      "EMERGENCY change CHG-42 approved by alice@example.com: the promotion may run at 14:05 UTC outside the maintenance windows (22:00-23:00 UTC, 02:00-03:00 UTC). This is a deviation the change request must report.",
    );
    assert.equal(finding.evidence.deviation, "emergency change");
  });

  test("an attested emergency inside a window still reports the deviation", () => {
    const finding = judgeMaintenanceWindow(
      input({ emergency: { status: "attested", by: "alice@example.com", reference: "CHG-42" } }),
    );
    assert.equal(finding.status, "passed");
    assert.match(
      finding.reason,
      /^EMERGENCY change CHG-42 .* at 22:15 UTC \(inside 22:00-23:00 UTC\)\. This is a deviation/,
    );
  });

  test("an environment that needs no window passes whatever the time", () => {
    const finding = judgeMaintenanceWindow(
      input({ environmentName: "SIT", required: false, windows: [], now: at("14:05"), confirmed: null }),
    );
    assert.equal(finding.status, "passed");
    assert.equal(finding.reason, "SIT needs no maintenance window for a promotion.");
  });

  test("the evidence records the time, the windows and the input", () => {
    const finding = judgeMaintenanceWindow(input({ confirmed: false }));
    assert.deepEqual(finding.evidence, {
      now: "2026-12-05T22:15:00.000Z",
      windows: ["22:00-23:00 UTC", "02:00-03:00 UTC"],
      confirmed: false,
      emergency: input().emergency,
    });
  });
});
