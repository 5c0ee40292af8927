/**
 * The Access Management promotion runbook (seeds/access-management-promotion-runbook.md,
 * RUNBOOK-ACCESS-PROMOTION-001 v1.0, 2026-01-25) as data: every checklist item, threshold and
 * verification step, in our own words.
 *
 * Not items: 1 (overview), 6 (version and branch conventions; the one checkable rule is 3.2.2),
 * 7 (message templates; their rollback promise is 4.2), 9.1 (troubleshooting table), 10 (contacts).
 * Numbered steps inside 3.2 and 4.3 become sub-sections 3.2.1, 3.2.2, ... so that each names its suite.
 * The DEV and SIT rows of the approval matrix (8) are environment data (approvalsRequired 0).
 */
import { attested, automated, CI_EVIDENCE_NOTE } from "./build.ts";
import type { RunbookInput } from "./schema.ts";

const PERSON_DECIDES = "A person decides; the decision is recorded as the rollback reason.";

export const accessPromotionRunbook: RunbookInput = {
  id: "access-promotion",
  title: "Access Management Environment Promotion",
  service: "access-management",
  source: "seeds/access-management-promotion-runbook.md (RUNBOOK-ACCESS-PROMOTION-001 v1.0, 2026-01-25)",
  sections: [
    {
      number: "2.1",
      title: "Access requirements",
      suite: "none",
      notes: "The 2 PROD approvers are access-promotion/8/prod-two-approvers.",
      items: [
        attested(
          "access-promotion/2.1/terraform-apply-change-board",
          "A Terraform apply in PROD is approved by the Change Board",
          "change-board",
          ["prod"],
        ),
      ],
    },
    {
      number: "2.2",
      title: "Pre-promotion requirements",
      suite: "pre-promotion",
      notes:
        "Each item applies to the promotions the matrix ticks: into SIT (from DEV) and into PROD (from SIT).",
      items: [
        automated("access-promotion/2.2/all-tests-pass", "All tests pass", ["sit", "prod"], {
          ciEvidence: ["unit-tests", "integration-tests"],
          notes: CI_EVIDENCE_NOTE,
        }),
        attested("access-promotion/2.2/code-review-complete", "Code review complete", "code-reviewer", [
          "sit",
          "prod",
        ]),
        automated(
          "access-promotion/2.2/security-scan-pass",
          "Security scan passes",

          ["sit", "prod"],
          { ciEvidence: ["security"], notes: CI_EVIDENCE_NOTE },
        ),
        automated(
          "access-promotion/2.2/source-stable-24h",
          "The source environment has run the version being promoted for 24 hours with no alarm in ALARM",
          ["sit", "prod"],
          {
            thresholds: [
              { metric: "deployment.age", comparison: ">=", value: 86_400, unit: "seconds" },
              { metric: "alarms.in-alarm", comparison: "==", value: 0, unit: "count" },
            ],
            notes: "The source is DEV for a promotion into SIT and SIT for a promotion into PROD.",
          },
        ),
        attested("access-promotion/2.2/uat-complete", "UAT complete", "qa-lead", ["prod"]),
        attested("access-promotion/2.2/change-request-approved", "Change request approved", "change-board", [
          "prod",
        ]),
        attested(
          "access-promotion/2.2/rollback-plan-documented",
          "Rollback plan documented",
          "release-manager",
          ["sit", "prod"],
        ),
      ],
    },
    {
      number: "3.1",
      title: "DEV to SIT: pre-promotion checklist",
      suite: "pre-promotion",
      items: [
        automated(
          "access-promotion/3.1/unit-tests-coverage",
          "All unit tests pass with more than 80% coverage",

          ["sit"],
          {
            thresholds: [{ metric: "coverage", comparison: ">", value: 80, unit: "percent" }],
            ciEvidence: ["unit-tests", "coverage"],
            notes: `${CI_EVIDENCE_NOTE} This runbook says "> 80%" where the tenant runbook says ">= 80%".`,
          },
        ),
        automated(
          "access-promotion/3.1/integration-tests-dev",
          "The service's integration tests pass in DEV",

          ["sit"],
          { ciEvidence: ["integration-tests"], notes: CI_EVIDENCE_NOTE },
        ),
        automated(
          "access-promotion/3.1/no-critical-vulnerabilities",
          "No critical or high security vulnerabilities",

          ["sit"],
          { ciEvidence: ["security"], notes: CI_EVIDENCE_NOTE },
        ),
        automated(
          "access-promotion/3.1/dev-stable-24h",
          "The DEV deployment has been stable for 24 hours or more",
          ["sit"],
          {
            thresholds: [{ metric: "deployment.age", comparison: ">=", value: 86_400, unit: "seconds" }],
            notes: "Age of the version behind latest-dev; stability itself is 3.2.1.",
          },
        ),
        attested("access-promotion/3.1/no-blocking-bugs", "No blocking bugs open in DEV", "qa-lead", ["sit"]),
        attested(
          "access-promotion/3.1/qa-notified",
          "QA team notified of the upcoming SIT release",
          "release-manager",
          ["sit"],
        ),
        attested("access-promotion/3.1/release-notes-drafted", "Release notes drafted", "release-manager", [
          "sit",
        ]),
      ],
    },
    {
      number: "3.2.1",
      title: "DEV to SIT: verify DEV stability",
      suite: "pre-promotion",
      items: [
        automated(
          "access-promotion/3.2.1/dev-verdicts-pass",
          "DEV's smoke and post-deploy verdicts pass, fresh, for the bits DEV's access functions serve",
          ["sit"],
          {
            notes:
              "Read from the verdict files (--verdicts <dir>, default reports/runs/): same service, DEV, the combined CodeSha256 behind latest-dev, not partial, intact report hash, within the freshness limit.",
          },
        ),
        automated(
          "access-promotion/3.2.1/dev-no-alarms",
          "No alarm under the prefix bbws-access-dev is in ALARM",
          ["sit"],
          {
            thresholds: [{ metric: "alarms.in-alarm", comparison: "==", value: 0, unit: "count" }],
            notes: "Finding no alarm at all under the prefix is inconclusive, not a pass.",
          },
        ),
        automated(
          "access-promotion/3.2.1/dev-error-rate-24h",
          "The access functions' error rate in DEV over 24 hours is below 1%",
          ["sit"],
          {
            thresholds: [
              {
                metric: "lambda.error-rate",
                comparison: "<",
                value: 1,
                unit: "percent",
                windowSeconds: 86_400,
              },
            ],
          },
        ),
      ],
    },
    {
      number: "3.2.2",
      title: "DEV to SIT: determine the version",
      suite: "pre-promotion",
      items: [
        automated(
          "access-promotion/3.2.2/version-is-semver-bump",
          "The version to promote (DEV's deployed-version) is vX.Y.Z and newer than the version SIT runs",
          ["sit"],
          {
            notes:
              "Both versions come from SSM /bbws-access/{env}/deployed-version (semantic versioning, 6.1).",
          },
        ),
      ],
    },
    {
      number: "3.2.3",
      title: "DEV to SIT: execute the promotion",
      suite: "none",
      items: [
        attested(
          "access-promotion/3.2.3/promotion-workflow-succeeded",
          "promote-to-sit.yml ran with skip_tests=false and succeeded",
          "service-ci",
          ["sit"],
        ),
      ],
    },
    {
      number: "3.2.4",
      title: "DEV to SIT: verify the SIT deployment",
      suite: "post-deploy",
      items: [
        automated(
          "access-promotion/3.2.4/sit-smoke-tests",
          "Smoke checks pass against SIT: every access function's latest-sit answers its health invoke",
          ["sit"],
        ),
        automated(
          "access-promotion/3.2.4/ssm-deployed-version",
          "SSM /bbws-access/sit/deployed-version names the promoted version",
          ["sit"],
        ),
        attested(
          "access-promotion/3.2.4/release-branch-exists",
          "Branch release/vX.Y.Z exists",
          "release-manager",
          ["sit"],
          { notes: "A fact of the source repository; the harness does not read git remotes." },
        ),
      ],
    },
    {
      number: "3.3",
      title: "DEV to SIT: post-promotion actions",
      suite: "post-deploy",
      items: [
        attested(
          "access-promotion/3.3/qa-notified-ready-for-uat",
          "QA team told the SIT release is ready for UAT (version, release branch)",
          "release-manager",
          ["sit"],
        ),
        attested(
          "access-promotion/3.3/jira-ready-for-uat",
          "Jira tickets moved to Ready for UAT",
          "release-manager",
          ["sit"],
        ),
        attested(
          "access-promotion/3.3/draft-release-created",
          "Draft GitHub release created",
          "release-manager",
          ["sit"],
        ),
        automated(
          "access-promotion/3.3/sit-watched-2h",
          "No access alarm in SIT enters ALARM during the first 2 hours",
          ["sit"],
          {
            thresholds: [
              { metric: "alarms.in-alarm", comparison: "==", value: 0, unit: "count", windowSeconds: 7_200 },
            ],
          },
        ),
      ],
    },
    {
      number: "4.1",
      title: "SIT to PROD: pre-promotion checklist",
      suite: "pre-promotion",
      items: [
        attested("access-promotion/4.1/uat-signed-off", "UAT complete and signed off", "qa-lead", ["prod"]),
        automated("access-promotion/4.1/all-sit-tests-pass", "All SIT tests pass", ["prod"], {
          ciEvidence: ["sit-final-tests"],
          notes:
            "Evidence: the service's SIT test report (4.3 step 1) and the harness's passing SIT verdict.",
        }),
        attested(
          "access-promotion/4.1/performance-testing",
          "Performance testing complete (when applicable)",
          "qa-lead",
          ["prod"],
        ),
        attested("access-promotion/4.1/security-review", "Security review complete", "security-reviewer", [
          "prod",
        ]),
        attested(
          "access-promotion/4.1/change-request-approved",
          "Change request (CHG-XXXXX) approved",
          "change-board",
          ["prod"],
        ),
        attested(
          "access-promotion/4.1/rollback-plan-reviewed",
          "Rollback plan documented and reviewed",
          "release-manager",
          ["prod"],
        ),
        attested("access-promotion/4.1/on-call-assigned", "On-call engineer assigned", "release-manager", [
          "prod",
        ]),
        attested(
          "access-promotion/4.1/stakeholders-notified",
          "Stakeholders notified of the maintenance window",
          "release-manager",
          ["prod"],
        ),
        attested(
          "access-promotion/4.1/dr-verification",
          "Disaster recovery verification complete",
          "devops-engineer",
          ["prod"],
        ),
      ],
    },
    {
      number: "4.2",
      title: "SIT to PROD: change request requirements",
      suite: "rollback",
      items: [
        attested(
          "access-promotion/4.2/change-request-complete",
          "The change request states type, risk, an off-peak window, the testing plan (smoke tests + health checks) and Slack #deployments",
          "change-board",
          ["prod"],
        ),
        automated(
          "access-promotion/4.2/rollback-under-30min",
          "A rollback completes in under 30 minutes",
          ["prod"],
          { thresholds: [{ metric: "rollback.duration", comparison: "<", value: 1_800, unit: "seconds" }] },
        ),
        automated(
          "access-promotion/4.2/alias-rollback-under-5min",
          "A Lambda alias rollback completes in under 5 minutes",
          ["prod"],
          {
            thresholds: [{ metric: "rollback.duration", comparison: "<", value: 300, unit: "seconds" }],
            notes: "The rollback plan promised in 4.3 step 2 and the 7.2 request template.",
          },
        ),
      ],
    },
    {
      number: "4.3.1",
      title: "SIT to PROD: final verification in SIT",
      suite: "pre-promotion",
      items: [
        automated(
          "access-promotion/4.3.1/sit-no-alarms",
          "No alarm under the prefix bbws-access-sit is in ALARM",
          ["prod"],
          {
            thresholds: [{ metric: "alarms.in-alarm", comparison: "==", value: 0, unit: "count" }],
            notes: "Finding no alarm at all under the prefix is inconclusive, not a pass.",
          },
        ),
        automated(
          "access-promotion/4.3.1/sit-full-suite",
          "The service's full test suite passes against SIT (sit-final-tests.xml)",

          ["prod"],
          { ciEvidence: ["sit-final-tests"], notes: CI_EVIDENCE_NOTE },
        ),
        automated(
          "access-promotion/4.3.1/sit-verdicts-pass",
          "SIT's smoke and post-deploy verdicts pass, fresh, for the bits SIT's access functions serve",
          ["prod"],
          {
            notes:
              "Read from the verdict files (--verdicts <dir>, default reports/runs/): same service, SIT, the combined CodeSha256 behind latest-sit, not partial, intact report hash, within the freshness limit.",
          },
        ),
        automated(
          "access-promotion/4.3.1/maintenance-window",
          "The promotion runs inside the change's off-peak window with the maintenance-window input confirmed, or as an attested emergency change",
          ["prod"],
          {
            notes:
              "The windows are environments.prod.policy.maintenanceWindows (the change request's 22:00-23:00 UTC, overridable). Outside a window only access-promotion/4.3.1/emergency-change, signed by the change board for these bits, lets it pass.",
          },
        ),
        attested(
          "access-promotion/4.3.1/emergency-change",
          "An emergency change outside the maintenance window was approved by the change board",
          "change-board",
          ["prod"],
          {
            suite: "none",
            notes:
              "Not required: read by access-promotion/4.3.1/maintenance-window only when a promotion runs outside every window.",
          },
        ),
        automated(
          "access-promotion/4.3.1/sit-version-recorded",
          "SSM /bbws-access/sit/deployed-version names the version being promoted",
          ["prod"],
        ),
      ],
    },
    {
      number: "4.3.2",
      title: "SIT to PROD: notify stakeholders",
      suite: "none",
      items: [
        attested(
          "access-promotion/4.3.2/prod-start-announced",
          "The start is announced with version, change request, window, on-call engineer and rollback plan",
          "release-manager",
          ["prod"],
        ),
      ],
    },
    {
      number: "4.3.3",
      title: "SIT to PROD: execute the promotion",
      suite: "none",
      notes: "The approvals it waits for are access-promotion/8/prod-two-approvers.",
      items: [
        attested(
          "access-promotion/4.3.3/promotion-workflow-succeeded",
          "promote-to-prod.yml ran for the version and succeeded after approval",
          "service-ci",
          ["prod"],
        ),
      ],
    },
    {
      number: "4.3.4",
      title: "SIT to PROD: canary deployment",
      suite: "post-deploy",
      items: [
        automated(
          "access-promotion/4.3.4/canary-10pct-5min",
          "The canary routes 10% of traffic to the new version for 5 minutes before shifting to 100%",
          ["prod"],
          {
            thresholds: [
              {
                metric: "canary.traffic-weight",
                comparison: "==",
                value: 10,
                unit: "percent",
                forSeconds: 300,
              },
            ],
          },
        ),
        automated(
          "access-promotion/4.3.4/canary-errors-watched",
          "Errors of the new version during the canary stay within the auto-rollback limit",
          ["prod"],
          {
            thresholds: [
              {
                metric: "lambda.error-rate",
                comparison: "<=",
                value: 5,
                unit: "percent",
                windowSeconds: 300,
              },
            ],
            notes:
              "The runbook says 'if errors increase significantly'; the limit used is the 5.1 auto-rollback rate.",
          },
        ),
      ],
    },
    {
      number: "4.3.5",
      title: "SIT to PROD: verify the PROD deployment",
      suite: "post-deploy",
      items: [
        automated(
          "access-promotion/4.3.5/prod-smoke",
          "Read-only smoke checks pass against PROD: every access function's latest-prod answers its health invoke",
          ["prod"],
        ),
        automated(
          "access-promotion/4.3.5/prod-ssm-version",
          "SSM /bbws-access/prod/deployed-version names the promoted version",
          ["prod"],
        ),
        automated(
          "access-promotion/4.3.5/prod-no-alarms",
          "No alarm under the prefix bbws-access-prod is in ALARM",
          ["prod"],
          {
            thresholds: [{ metric: "alarms.in-alarm", comparison: "==", value: 0, unit: "count" }],
            notes: "Finding no alarm at all under the prefix is inconclusive, not a pass.",
          },
        ),
      ],
    },
    {
      number: "4.4",
      title: "SIT to PROD: post-promotion actions",
      suite: "post-deploy",
      items: [
        attested(
          "access-promotion/4.4/change-request-closed",
          "Change request closed as Implemented, with the actual time and any deviation",
          "release-manager",
          ["prod"],
        ),
        attested(
          "access-promotion/4.4/stakeholders-notified-complete",
          "Stakeholders told the deployment is complete",
          "release-manager",
          ["prod"],
        ),
        attested(
          "access-promotion/4.4/github-release-published",
          "GitHub release notes finalized and published",
          "release-manager",
          ["prod"],
        ),
        automated(
          "access-promotion/4.4/prod-watched-2h",
          "No access alarm in PROD enters ALARM during the 2 hours after the deployment",
          ["prod"],
          {
            thresholds: [
              { metric: "alarms.in-alarm", comparison: "==", value: 0, unit: "count", windowSeconds: 7_200 },
            ],
          },
        ),
      ],
    },
    {
      number: "5.1",
      title: "Automatic rollback triggers",
      suite: "rollback",
      items: [
        automated(
          "access-promotion/5.1/error-rate-auto-rollback",
          "An error rate above 5% for 2 minutes rolls the deployment back automatically",
          ["sit", "prod"],
          {
            thresholds: [
              {
                metric: "lambda.error-rate",
                comparison: ">",
                value: 5,
                unit: "percent",
                forSeconds: 120,
                sense: "trigger",
              },
            ],
            suite: "post-deploy",
          },
        ),
        automated(
          "access-promotion/5.1/p95-latency-alert",
          "P95 latency above 3 times the baseline raises an alert for a manual decision",
          ["sit", "prod"],
          {
            thresholds: [
              {
                metric: "lambda.duration.p95",
                comparison: ">",
                value: 3,
                unit: "x-baseline",
                sense: "trigger",
              },
            ],
            notes: "The baseline is the p95 of the version served before the deployment.",
            suite: "post-deploy",
          },
        ),
        automated(
          "access-promotion/5.1/canary-health-auto-rollback",
          "A failing canary health check rolls the deployment back automatically",
          ["prod"],
        ),
      ],
    },
    {
      number: "5.2",
      title: "Manual rollback triggers",
      suite: "rollback",
      items: [
        attested(
          "access-promotion/5.2/critical-functionality-broken",
          "Broken critical functionality leads to a rollback",
          "on-call-engineer",
          ["sit", "prod"],
          { notes: PERSON_DECIDES },
        ),
        attested(
          "access-promotion/5.2/data-integrity-issue",
          "A detected data integrity issue leads to a rollback",
          "on-call-engineer",
          ["sit", "prod"],
          { notes: PERSON_DECIDES },
        ),
        attested(
          "access-promotion/5.2/security-vulnerability",
          "A discovered security vulnerability leads to a rollback",
          "on-call-engineer",
          ["sit", "prod"],
          { notes: PERSON_DECIDES },
        ),
        attested(
          "access-promotion/5.2/customer-impact",
          "Reported customer-impacting issues lead to a rollback",
          "on-call-engineer",
          ["sit", "prod"],
          { notes: PERSON_DECIDES },
        ),
      ],
    },
    {
      number: "5.3",
      title: "Rollback procedure",
      suite: "rollback",
      items: [
        automated(
          "access-promotion/5.3/rollback-all-to-previous",
          "Rolling back all services to the previous version returns every access function's alias to its backup version and SSM deployed-version to the previous version",
          ["sit", "prod"],
        ),
        automated(
          "access-promotion/5.3/rollback-recorded",
          "The rollback is recorded with its reason, initiator and the versions it moved between",
          ["sit", "prod"],
        ),
        automated(
          "access-promotion/5.3/errors-recovered",
          "Over the recovery window after the rollback, every access function's error rate is back under the 5% that triggers one (5.1)",
          ["sit", "prod"],
          {
            thresholds: [{ metric: "lambda.error-rate", comparison: "<", value: 5, unit: "percent" }],
            notes:
              "The window is environments.<env>.rollback.recoveryWindowSeconds; no invocations in it is inconclusive, never a pass.",
          },
        ),
      ],
    },
    {
      number: "8",
      title: "Approval matrix",
      suite: "pre-promotion",
      items: [
        attested(
          "access-promotion/8/prod-two-approvers",
          "Two approvers (from engineering lead, DevOps lead, QA lead, product owner) approve the PROD promotion",
          "prod-approver",
          ["prod"],
          { notes: "The number is environments.prod.approvalsRequired (2); DEV and SIT need none." },
        ),
      ],
    },
    {
      number: "9.2",
      title: "Rollback after a failed promotion",
      suite: "rollback",
      items: [
        automated(
          "access-promotion/9.2/failed-promotion-rolled-back",
          "After a failed SIT promotion, a rollback returns SIT's aliases and deployed-version to the previous version",
          ["sit"],
        ),
        attested(
          "access-promotion/9.2/failed-release-branch-deleted",
          "The failed release branch is deleted",
          "release-manager",
          ["sit"],
        ),
      ],
    },
  ],
};
