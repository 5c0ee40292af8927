/**
 * The Tenant Lambda Deployment Runbook (seeds/tenant-lambda-deployment-runbook.md, v1.0, 2026-01-25) as
 * data: every checklist item, threshold and verification step, in our own words.
 *
 * Sections that are reference material rather than steps are not items: 1.1 and 1.3 (description,
 * architecture), 2.2 (tools on a laptop), 5.4 (a shell version of 5.2), 10 (environment facts: they live
 * in runbooks/environments.ts), 11 (troubleshooting), 12-14 (links, contacts, quick reference).
 * Numbered lists inside a section (6.3 and 7.3) become sub-sections 6.3.1, 6.3.2, ... so that each part
 * can name the suite that verifies it.
 */
import { ALL, attested, automated, CI_EVIDENCE_NOTE, SERVICE_REPO_NOTE } from "./build.ts";
import type { RunbookInput } from "./schema.ts";

const MUTATING_NOTE = "Creates or changes data, so it runs in DEV and SIT only: PROD is read-only.";
const CONTRACT_NOTE =
  "Checked against docs/tenant-api-contract.md: status codes, response schemas, pagination and error shape.";

export const tenantDeployRunbook: RunbookInput = {
  id: "tenant-deploy",
  title: "Tenant Lambda Deployment",
  service: "tenant-instance-management",
  source: "seeds/tenant-lambda-deployment-runbook.md (v1.0, 2026-01-25)",
  sections: [
    {
      number: "1.2",
      title: "Lambda functions (API routes)",
      suite: "smoke",
      notes: "The function table lists 26 routes served by one router Lambda; GET /health is 5.1/5.2.",
      items: [
        automated(
          "tenant-deploy/1.2/tenant-routes",
          "Tenant routes (create, list, get, update, delete, park, unpark) behave as the contract says",
          ["dev", "sit"],
          { notes: `${CONTRACT_NOTE} ${MUTATING_NOTE}` },
        ),
        automated(
          "tenant-deploy/1.2/instance-routes",
          "Instance routes (create, get, list, update, delete, scale, suspend, resume, backup, restore) behave as the contract says",
          ["dev", "sit"],
          { notes: `${CONTRACT_NOTE} ${MUTATING_NOTE}` },
        ),
        automated(
          "tenant-deploy/1.2/invitation-routes",
          "Invitation routes (create, list, get, cancel, resend) behave as the contract says",
          ["dev", "sit"],
          { notes: `${CONTRACT_NOTE} ${MUTATING_NOTE}` },
        ),
        automated(
          "tenant-deploy/1.2/user-routes",
          "Tenant user routes (assign, list, remove) behave as the contract says",
          ["dev", "sit"],
          { notes: `${CONTRACT_NOTE} ${MUTATING_NOTE}` },
        ),
        automated(
          "tenant-deploy/1.2/hierarchy-route",
          "The hierarchy route links parent and child tenants and refuses a cycle",
          ["dev", "sit"],
          { notes: `${CONTRACT_NOTE} ${MUTATING_NOTE}` },
        ),
      ],
    },
    {
      number: "2.1",
      title: "Required access",
      suite: "pre-promotion",
      items: [
        automated(
          "tenant-deploy/2.1/aws-account-access",
          "The credentials used for the environment reach the runbook's account (STS caller identity)",
          ALL,
          {
            notes: "Catches a profile or key pointed at the wrong environment before any other check runs.",
            suite: "smoke",
          },
        ),
        automated(
          "tenant-deploy/2.1/prod-read-only",
          "Operations against PROD are read-only: a mutating API request is refused before it is sent",
          ["prod"],
        ),
      ],
    },
    {
      number: "2.3",
      title: "Infrastructure requirements",
      suite: "pre-promotion",
      items: [
        automated(
          "tenant-deploy/2.3/lambda-function-exists",
          "Function bbws-tenant-instance-management-{env} exists",
          ALL,
        ),
        automated(
          "tenant-deploy/2.3/api-gateway-answers",
          "The API Gateway (bbws-tenant-api-{env}) answers at the environment's API URL",
          ALL,
          {
            notes:
              "The harness has no API Gateway control-plane client; an answer from apiUrl stands in for the REST API existing.",
          },
        ),
        automated(
          "tenant-deploy/2.3/dynamodb-tables-exist",
          "Tables bbws-tenants-{env}, bbws-instances-{env} and bbws-invitations-{env} exist",
          ALL,
        ),
        automated(
          "tenant-deploy/2.3/deployments-table-exists",
          "Deployment tracking table bbws-deployments-{env} exists",
          ALL,
        ),
        automated(
          "tenant-deploy/2.3/cognito-user-pool-exists",
          "Cognito user pool bbws-user-pool-{env} exists",
          ALL,
        ),
        automated(
          "tenant-deploy/2.3/log-group-exists",
          "Log group /aws/lambda/bbws-tenant-instance-management-{env} exists",
          ALL,
        ),
        attested(
          "tenant-deploy/2.3/github-actions-role-exists",
          "IAM role bbws-github-actions-role-{env} exists for GitHub Actions OIDC",
          "devops-engineer",
          ALL,
          { notes: "The harness needs no IAM access; the role ARN is recorded in runbooks/environments.ts." },
        ),
        attested(
          "tenant-deploy/2.3/terraform-state-bucket-exists",
          "Terraform state bucket bbws-terraform-state-{env} exists",
          "devops-engineer",
          ALL,
          { notes: "Infrastructure tooling state; the harness has no S3 client and needs none." },
        ),
      ],
    },
    {
      number: "3.1",
      title: "Pre-deployment: code quality",
      suite: "pre-promotion",
      notes:
        "Read from the files the service's CI writes (JUnit, coverage, SARIF), given with --ci-evidence.",
      items: [
        automated(
          "tenant-deploy/3.1/unit-tests-pass",
          "Unit tests pass (pytest tests/unit/)",

          ALL,
          {
            ciEvidence: ["unit-tests"],
            notes: CI_EVIDENCE_NOTE,
          },
        ),
        automated(
          "tenant-deploy/3.1/integration-tests-pass",
          "Integration tests pass (pytest tests/integration/)",

          ALL,
          { ciEvidence: ["integration-tests"], notes: CI_EVIDENCE_NOTE },
        ),
        automated("tenant-deploy/3.1/lint-passes", "Linting passes (ruff check src/)", ALL, {
          ciEvidence: ["lint"],
          notes: CI_EVIDENCE_NOTE,
        }),
        automated(
          "tenant-deploy/3.1/type-check-passes",
          "Type checking passes (mypy src/)",

          ALL,
          {
            ciEvidence: ["type-check"],
            notes: CI_EVIDENCE_NOTE,
          },
        ),
        automated(
          "tenant-deploy/3.1/security-scan-passes",
          "Security scan passes (bandit -r src/)",

          ALL,
          { ciEvidence: ["security"], notes: CI_EVIDENCE_NOTE },
        ),
        automated(
          "tenant-deploy/3.1/coverage-80",
          "Unit test coverage is at least 80% (pytest --cov-fail-under=80)",

          ALL,
          {
            thresholds: [{ metric: "coverage", comparison: ">=", value: 80, unit: "percent" }],
            ciEvidence: ["coverage"],
            notes: CI_EVIDENCE_NOTE,
          },
        ),
      ],
    },
    {
      number: "3.2",
      title: "Pre-deployment: dependencies",
      suite: "none",
      items: [
        attested(
          "tenant-deploy/3.2/requirements-current",
          "requirements.txt is up to date",
          "code-reviewer",
          ALL,
          { notes: SERVICE_REPO_NOTE },
        ),
        attested(
          "tenant-deploy/3.2/no-vulnerable-dependencies",
          "No dependency has a known security vulnerability",
          "service-ci",
          ALL,
          { notes: SERVICE_REPO_NOTE },
        ),
        attested(
          "tenant-deploy/3.2/layer-dependencies-current",
          "Lambda layer dependencies are current",
          "code-reviewer",
          ALL,
          { notes: SERVICE_REPO_NOTE },
        ),
      ],
    },
    {
      number: "3.3",
      title: "Pre-deployment: configuration",
      suite: "pre-promotion",
      items: [
        attested(
          "tenant-deploy/3.3/env-vars-parameterized",
          "Environment variables are parameterized (no hard-coded values)",
          "code-reviewer",
          ALL,
          { notes: SERVICE_REPO_NOTE },
        ),
        attested(
          "tenant-deploy/3.3/openapi-spec-valid",
          "The API Gateway OpenAPI specification is valid",
          "service-ci",
          ALL,
          {
            notes: `${SERVICE_REPO_NOTE} What the deployed API actually serves is checked by the 1.2 and 5.x items.`,
          },
        ),
        automated(
          "tenant-deploy/3.3/table-schemas-match",
          "Each table's key schema matches what the code expects (PK/SK strings, byTenant index on instances)",
          ALL,
          { notes: "Compared with the storage section of docs/tenant-api-contract.md." },
        ),
        automated(
          "tenant-deploy/3.3/cognito-pool-configured",
          "The configured user pool and app client exist and issue a token to the smoke user",
          ALL,
        ),
      ],
    },
    {
      number: "3.4",
      title: "Pre-deployment: documentation",
      suite: "none",
      items: [
        attested("tenant-deploy/3.4/changelog-updated", "CHANGELOG.md is updated", "code-reviewer", ALL),
        attested(
          "tenant-deploy/3.4/api-docs-updated",
          "API documentation reflects the changes",
          "code-reviewer",
          ALL,
        ),
        attested(
          "tenant-deploy/3.4/breaking-changes-documented",
          "Breaking changes are documented",
          "code-reviewer",
          ALL,
        ),
      ],
    },
    {
      number: "4.1",
      title: "DEV: automated deployment",
      suite: "none",
      items: [
        attested(
          "tenant-deploy/4.1/dev-workflow-succeeded",
          "The deploy-dev.yml run for the commit passed its quality gates, deploy and verify jobs",
          "service-ci",
          ["dev"],
        ),
      ],
    },
    {
      number: "4.2",
      title: "DEV: manual workflow trigger",
      suite: "none",
      items: [
        attested(
          "tenant-deploy/4.2/skip-tests-emergency-only",
          "Quality gates were skipped (skip_tests=true) only for a recorded emergency",
          "release-manager",
          ["dev"],
        ),
      ],
    },
    {
      number: "4.3",
      title: "DEV: deployment verification",
      suite: "post-deploy",
      items: [
        automated(
          "tenant-deploy/4.3/function-updated",
          "The function configuration shows the new version, LastModified and CodeSha256",
          ["dev"],
        ),
        automated(
          "tenant-deploy/4.3/alias-points-to-new-version",
          "Alias latest-dev points at the newly published version",
          ["dev"],
        ),
      ],
    },
    {
      number: "5.1",
      title: "Smoke: health check",
      suite: "smoke",
      items: [
        automated(
          "tenant-deploy/5.1/health-direct-invoke",
          "Invoking the function with the /health proxy event returns statusCode 200, status healthy and the expected version",
          ALL,
        ),
      ],
    },
    {
      number: "5.2",
      title: "Smoke: API Gateway tests",
      suite: "smoke",
      items: [
        automated(
          "tenant-deploy/5.2/api-health",
          "GET /health through the API URL returns 200 with status healthy",
          ALL,
        ),
        automated(
          "tenant-deploy/5.2/tenants-require-auth",
          "GET /tenants without a token is refused with 401",
          ALL,
          {
            notes:
              "The runbook says the route requires a token; this catches a build that stops enforcing it.",
          },
        ),
        automated(
          "tenant-deploy/5.2/list-tenants-authenticated",
          "GET /tenants with a Cognito token of the environment's pool returns 200 and a page of tenants",
          ALL,
        ),
      ],
    },
    {
      number: "5.3",
      title: "Smoke: key endpoint tests",
      suite: "smoke",
      notes: "GET /health and GET /tenants of the 5.3 table are the 5.2 items.",
      items: [
        automated(
          "tenant-deploy/5.3/get-tenant-by-id",
          "GET /tenants/{id} returns 200 for an existing tenant and 404 for an unknown id",
          ALL,
        ),
        automated(
          "tenant-deploy/5.3/create-invitation",
          "POST /invitations returns 201 with an invitation id",
          ["dev", "sit"],
          { notes: MUTATING_NOTE },
        ),
        automated(
          "tenant-deploy/5.3/scale-instance",
          "PUT /instances/{id}/size returns 200 with the instance at its new size",
          ["dev", "sit"],
          { notes: MUTATING_NOTE },
        ),
      ],
    },
    {
      number: "6.1",
      title: "SIT promotion: pre-promotion checklist",
      suite: "pre-promotion",
      notes: "Run before promoting into SIT; the checks look at DEV, the source.",
      items: [
        automated(
          "tenant-deploy/6.1/dev-deployment-verified",
          "DEV's latest-dev alias points at a published version that answers its health check with the version recorded in bbws-deployments-dev",
          ["sit"],
        ),
        automated(
          "tenant-deploy/6.1/dev-smoke-passes",
          "DEV's smoke tests pass: a passing, fresh smoke verdict and post-deploy verdict exist for the bits DEV serves",
          ["sit"],
          {
            notes:
              "Read from the verdict files (--verdicts <dir>, default reports/runs/): same service, DEV, the CodeSha256 behind latest-dev, not partial, intact report hash, within the freshness limit.",
          },
        ),
        automated(
          "tenant-deploy/6.1/dev-no-error-logs-1h",
          "No high-severity (ERROR) events in DEV's function logs in the last hour",
          ["sit"],
          {
            thresholds: [
              {
                metric: "logs.error-events",
                comparison: "==",
                value: 0,
                unit: "count",
                windowSeconds: 3600,
                zeroTrafficOk: true,
              },
            ],
            notes:
              "No matching log event is the passing outcome, so no data counts as a pass here; a missing log group fails tenant-deploy/2.3/log-group-exists.",
          },
        ),
        attested(
          "tenant-deploy/6.1/stakeholder-approval",
          "Stakeholder approval obtained (when the change needs it)",
          "release-manager",
          ["sit"],
        ),
      ],
    },
    {
      number: "6.3.1",
      title: "SIT promotion: pre-flight checks",
      suite: "pre-promotion",
      items: [
        automated(
          "tenant-deploy/6.3.1/dev-errors-1h",
          "DEV's function had fewer than 10 errors in the last hour",
          ["sit"],
          {
            thresholds: [
              { metric: "lambda.errors", comparison: "<", value: 10, unit: "count", windowSeconds: 3600 },
            ],
          },
        ),
        automated(
          "tenant-deploy/6.3.1/dev-alarms-quiet",
          "No alarm under the prefix bbws-tenant-instance-management-dev is in ALARM",
          ["sit"],
          {
            thresholds: [{ metric: "alarms.in-alarm", comparison: "==", value: 0, unit: "count" }],
            notes: "Finding no alarm at all under the prefix is inconclusive, not a pass.",
          },
        ),
        automated(
          "tenant-deploy/6.3.1/dev-version-and-sha",
          "DEV's version behind latest-dev and its CodeSha256 are read as the integrity reference for SIT",
          ["sit"],
        ),
      ],
    },
    {
      number: "6.3.2",
      title: "SIT promotion: deploy to SIT",
      suite: "post-deploy",
      items: [
        automated(
          "tenant-deploy/6.3.2/backup-alias-created",
          "A backup-* alias points at the version latest-sit served before the promotion",
          ["sit"],
        ),
        automated(
          "tenant-deploy/6.3.2/code-sha-matches-dev",
          "The version published in SIT has the same CodeSha256 as the DEV version promoted (integrity check)",
          ["sit"],
        ),
        automated("tenant-deploy/6.3.2/alias-updated", "latest-sit points at the version just published", [
          "sit",
        ]),
      ],
    },
    {
      number: "6.3.3",
      title: "SIT promotion: post-deployment verification",
      suite: "post-deploy",
      items: [
        automated(
          "tenant-deploy/6.3.3/health-check",
          "The direct health invoke in SIT returns 200 healthy with the promoted version",
          ["sit"],
        ),
        automated(
          "tenant-deploy/6.3.3/smoke-tests",
          "Smoke checks pass against SIT once the alias has moved",
          ["sit"],
        ),
        automated(
          "tenant-deploy/6.3.3/monitor-immediate-errors",
          "No function errors in SIT during the 30 seconds after the deployment",
          ["sit"],
          {
            thresholds: [
              { metric: "lambda.errors", comparison: "==", value: 0, unit: "count", windowSeconds: 30 },
            ],
            notes: "The window is environments.sit.monitoring.windowSeconds (30 s by default, overridable).",
          },
        ),
      ],
    },
    {
      number: "6.3.4",
      title: "SIT promotion: record metadata",
      suite: "post-deploy",
      items: [
        automated(
          "tenant-deploy/6.3.4/deployment-recorded",
          "bbws-deployments-sit records the deployment: function version, app version, CodeSha256, source environment dev",
          ["sit"],
        ),
      ],
    },
    {
      number: "6.4",
      title: "SIT verification",
      suite: "smoke",
      items: [
        automated(
          "tenant-deploy/6.4/alias-latest-sit",
          "get-alias shows latest-sit on the promoted version",
          ["sit"],
          {
            suite: "post-deploy",
          },
        ),
        automated(
          "tenant-deploy/6.4/health-direct-invoke",
          "The direct health invoke in SIT returns 200 healthy",
          ["sit"],
        ),
      ],
    },
    {
      number: "7.1",
      title: "PROD promotion: pre-promotion checklist",
      suite: "pre-promotion",
      notes: "Run before promoting into PROD; the metric checks look at SIT, the source.",
      items: [
        automated(
          "tenant-deploy/7.1/sit-running-24h",
          "The version SIT serves has been deployed for at least 24 hours",
          ["prod"],
          {
            thresholds: [{ metric: "deployment.age", comparison: ">=", value: 86_400, unit: "seconds" }],
            notes: "Age is measured from deployedAt of SIT's record in bbws-deployments-sit.",
          },
        ),
        automated(
          "tenant-deploy/7.1/sit-errors-24h",
          "SIT had fewer than 5 function errors in the last 24 hours (near zero)",
          ["prod"],
          {
            thresholds: [
              { metric: "lambda.errors", comparison: "<", value: 5, unit: "count", windowSeconds: 86_400 },
            ],
          },
        ),
        automated(
          "tenant-deploy/7.1/sit-no-throttles-24h",
          "SIT had no throttles in the last 24 hours",
          ["prod"],
          {
            thresholds: [
              {
                metric: "lambda.throttles",
                comparison: "==",
                value: 0,
                unit: "count",
                windowSeconds: 86_400,
              },
            ],
          },
        ),
        automated(
          "tenant-deploy/7.1/sit-verdicts-pass",
          "SIT's smoke and post-deploy verdicts pass, fresh, for the bits SIT serves",
          ["prod"],
          {
            notes:
              "Read from the verdict files (--verdicts <dir>, default reports/runs/): same service, SIT, the CodeSha256 behind latest-sit, not partial, intact report hash, within the freshness limit.",
          },
        ),
        attested(
          "tenant-deploy/7.1/change-request-approved",
          "Change request approved (when required)",
          "change-board",
          ["prod"],
        ),
        attested(
          "tenant-deploy/7.1/maintenance-window-approved",
          "Maintenance window approved",
          "release-manager",
          ["prod"],
        ),
        attested("tenant-deploy/7.1/rollback-plan-reviewed", "Rollback plan reviewed", "release-manager", [
          "prod",
        ]),
        attested("tenant-deploy/7.1/on-call-notified", "On-call engineer notified", "on-call-engineer", [
          "prod",
        ]),
      ],
    },
    {
      number: "7.2",
      title: "PROD promotion: trigger",
      suite: "pre-promotion",
      items: [
        automated(
          "tenant-deploy/7.2/maintenance-window-confirmed",
          "The promotion was started with maintenance_window=true inside an approved maintenance window, or as an attested emergency change",
          ["prod"],
          {
            notes:
              "The windows are environments.prod.policy.maintenanceWindows (off-peak 22:00-23:00 UTC, overridable); the confirmation is the workflow's maintenance_window input (--maintenance-window-confirmed). Outside a window only tenant-deploy/7.2/emergency-change, signed by the change board for these bits, lets it pass.",
          },
        ),
        attested(
          "tenant-deploy/7.2/emergency-change",
          "An emergency change outside the maintenance window was approved by the change board",
          "change-board",
          ["prod"],
          {
            suite: "none",
            notes:
              "Not required: read by tenant-deploy/7.2/maintenance-window-confirmed only when a promotion runs outside every window.",
          },
        ),
        attested(
          "tenant-deploy/7.2/environment-approvals",
          "At least 2 approvers passed the PROD environment approval gate",
          "prod-approver",
          ["prod"],
          { notes: "The number is environments.prod.approvalsRequired (2)." },
        ),
      ],
    },
    {
      number: "7.3.1",
      title: "PROD promotion: pre-flight checks (stricter)",
      suite: "pre-promotion",
      notes: "The maintenance window confirmation is tenant-deploy/7.2/maintenance-window-confirmed.",
      items: [
        automated(
          "tenant-deploy/7.3.1/sit-stability-24h",
          "SIT is stable over a 24-hour look-back: fewer than 5 errors and no throttles",
          ["prod"],
          {
            thresholds: [
              { metric: "lambda.errors", comparison: "<", value: 5, unit: "count", windowSeconds: 86_400 },
              {
                metric: "lambda.throttles",
                comparison: "==",
                value: 0,
                unit: "count",
                windowSeconds: 86_400,
              },
            ],
          },
        ),
        automated(
          "tenant-deploy/7.3.1/sit-alarms-quiet",
          "No alarm under the prefix bbws-tenant-instance-management-sit is in ALARM",
          ["prod"],
          {
            thresholds: [{ metric: "alarms.in-alarm", comparison: "==", value: 0, unit: "count" }],
            notes: "Finding no alarm at all under the prefix is inconclusive, not a pass.",
          },
        ),
        automated(
          "tenant-deploy/7.3.1/sit-version-and-sha",
          "SIT's version behind latest-sit and its CodeSha256 are read as the integrity reference for PROD",
          ["prod"],
        ),
      ],
    },
    {
      number: "7.3.2",
      title: "PROD promotion: quality gates",
      suite: "none",
      items: [
        attested(
          "tenant-deploy/7.3.2/tests-against-prod-config",
          "The service's tests pass against the PROD configuration",
          "service-ci",
          ["prod"],
          { notes: SERVICE_REPO_NOTE },
        ),
        attested("tenant-deploy/7.3.2/security-scan", "Security scan passes", "service-ci", ["prod"], {
          notes: SERVICE_REPO_NOTE,
        }),
        attested("tenant-deploy/7.3.2/cost-estimation", "Cost estimation reviewed", "devops-engineer", [
          "prod",
        ]),
      ],
    },
    {
      number: "7.3.3",
      title: "PROD promotion: deploy to PROD",
      suite: "post-deploy",
      items: [
        automated(
          "tenant-deploy/7.3.3/backup-alias-created",
          "A backup-* alias points at the version latest-prod served before the promotion",
          ["prod"],
        ),
        automated(
          "tenant-deploy/7.3.3/code-sha-matches-sit",
          "The version published in PROD has the same CodeSha256 as the SIT version promoted (integrity check)",
          ["prod"],
        ),
        automated("tenant-deploy/7.3.3/alias-updated", "latest-prod points at the version just published", [
          "prod",
        ]),
      ],
    },
    {
      number: "7.3.4",
      title: "PROD promotion: post-deployment verification (enhanced)",
      suite: "post-deploy",
      items: [
        automated(
          "tenant-deploy/7.3.4/health-check",
          "The direct health invoke in PROD returns 200 healthy with the promoted version",
          ["prod"],
        ),
        automated(
          "tenant-deploy/7.3.4/read-only-smoke",
          "Read-only smoke checks pass against PROD; no mutating request is sent",
          ["prod"],
        ),
        automated(
          "tenant-deploy/7.3.4/error-monitoring-5min",
          "No function errors in PROD during the 5-minute monitoring window",
          ["prod"],
          {
            thresholds: [
              { metric: "lambda.errors", comparison: "==", value: 0, unit: "count", windowSeconds: 300 },
            ],
            notes:
              "The window is environments.prod.monitoring.windowSeconds (300 s by default, overridable).",
          },
        ),
        automated(
          "tenant-deploy/7.3.4/cloudfront-verified",
          "The CloudFront distribution serves the new version (GET /health on the CloudFront URL)",
          ["prod"],
        ),
      ],
    },
    {
      number: "7.3.5",
      title: "PROD promotion: record metadata",
      suite: "post-deploy",
      items: [
        automated(
          "tenant-deploy/7.3.5/deployment-recorded",
          "bbws-deployments-prod records the deployment: function version, app version, CodeSha256, source environment sit",
          ["prod"],
        ),
      ],
    },
    {
      number: "7.4",
      title: "PROD verification",
      suite: "smoke",
      items: [
        automated(
          "tenant-deploy/7.4/alias-latest-prod",
          "get-alias shows latest-prod on the promoted version",
          ["prod"],
          {
            suite: "post-deploy",
          },
        ),
        automated(
          "tenant-deploy/7.4/cloudfront-health",
          "GET /health on the production URL (CloudFront) returns 200 healthy",
          ["prod"],
          { suite: "post-deploy" },
        ),
        automated(
          "tenant-deploy/7.4/health-direct-invoke",
          "The direct health invoke in PROD returns 200 healthy",
          ["prod"],
        ),
      ],
    },
    {
      number: "8.1",
      title: "Post-deployment: CloudWatch metrics",
      suite: "post-deploy",
      items: [
        automated("tenant-deploy/8.1/errors-5min", "No function errors in the last 5 minutes", ALL, {
          thresholds: [
            { metric: "lambda.errors", comparison: "==", value: 0, unit: "count", windowSeconds: 300 },
          ],
        }),
        automated(
          "tenant-deploy/8.1/invocations-5min",
          "The function was invoked in the last 5 minutes (its metrics are flowing)",
          ALL,
          {
            thresholds: [
              { metric: "lambda.invocations", comparison: ">", value: 0, unit: "count", windowSeconds: 300 },
            ],
            notes: "Without invocations the error and duration checks have nothing to judge (principle 9).",
          },
        ),
        automated(
          "tenant-deploy/8.1/duration-5min",
          "Function duration in the last 5 minutes stays under 10 seconds",
          ALL,
          {
            thresholds: [
              {
                metric: "lambda.duration.max",
                comparison: "<",
                value: 10_000,
                unit: "ms",
                windowSeconds: 300,
              },
            ],
            notes:
              "The runbook prints average and maximum duration without a limit; the ceiling is its P99 rollback limit (9.2).",
          },
        ),
      ],
    },
    {
      number: "8.2",
      title: "Post-deployment: CloudWatch logs",
      suite: "post-deploy",
      items: [
        automated(
          "tenant-deploy/8.2/no-error-logs-10min",
          "No ERROR events in the function's log group in the last 10 minutes",
          ALL,
          {
            thresholds: [
              {
                metric: "logs.error-events",
                comparison: "==",
                value: 0,
                unit: "count",
                windowSeconds: 600,
                zeroTrafficOk: true,
              },
            ],
            notes: "No matching log event is the passing outcome, so no data counts as a pass here.",
          },
        ),
      ],
    },
    {
      number: "8.3",
      title: "Post-deployment: CloudWatch alarms",
      suite: "post-deploy",
      items: [
        automated(
          "tenant-deploy/8.3/no-alarms-in-alarm",
          "No alarm under the prefix bbws-tenant-instance-management-{env} is in ALARM",
          ALL,
          {
            thresholds: [{ metric: "alarms.in-alarm", comparison: "==", value: 0, unit: "count" }],
            notes: "Finding no alarm at all under the prefix is inconclusive, not a pass.",
          },
        ),
        automated(
          "tenant-deploy/8.3/errors-alarm-not-fired",
          "The errors alarm has not entered ALARM since the deployment (alarm history)",
          ALL,
        ),
      ],
    },
    {
      number: "8.4",
      title: "Post-deployment: DynamoDB health",
      suite: "post-deploy",
      items: [
        automated(
          "tenant-deploy/8.4/tables-active",
          "The tenants, instances and invitations tables are ACTIVE",
          ALL,
        ),
        automated(
          "tenant-deploy/8.4/recent-writes-readable",
          "The newest-tenant query (PK = TENANT#, newest first, limit 1) returns an item",
          ALL,
        ),
      ],
    },
    {
      number: "9.1",
      title: "Automatic rollback triggers",
      suite: "rollback",
      items: [
        automated(
          "tenant-deploy/9.1/health-failure-rolls-back",
          "A deployment whose health check fails is rolled back: latest-{env} returns to the previous version",
          ALL,
        ),
        automated(
          "tenant-deploy/9.1/errors-in-window-roll-back",
          "Function errors during the post-deployment monitoring window roll the deployment back",
          ALL,
          {
            thresholds: [
              { metric: "lambda.errors", comparison: ">", value: 0, unit: "count", sense: "trigger" },
            ],
            notes:
              "The runbook says only 'exceeds threshold'; the window is the environment's monitoring window (PROD 5 min).",
            suite: "post-deploy",
          },
        ),
        automated(
          "tenant-deploy/9.1/update-failure-rolls-back",
          "A failed function update leaves latest-{env} on (or returns it to) the previous version",
          ALL,
        ),
      ],
    },
    {
      number: "9.2",
      title: "Manual rollback triggers",
      suite: "rollback",
      items: [
        automated(
          "tenant-deploy/9.2/error-rate-over-10pct",
          "An error rate above 10% calls for an immediate rollback (critical)",
          ALL,
          {
            thresholds: [
              { metric: "lambda.error-rate", comparison: ">", value: 10, unit: "percent", sense: "trigger" },
            ],
            suite: "post-deploy",
          },
        ),
        automated(
          "tenant-deploy/9.2/p99-over-10s",
          "P99 latency above 10 s calls for a rollback within 5 minutes (high)",
          ALL,
          {
            thresholds: [
              { metric: "lambda.duration.p99", comparison: ">", value: 10_000, unit: "ms", sense: "trigger" },
              { metric: "rollback.duration", comparison: "<=", value: 300, unit: "seconds" },
            ],
            suite: "post-deploy",
          },
        ),
        automated(
          "tenant-deploy/9.2/5xx-over-5-per-min",
          "More than 5 server errors (5xx) a minute calls for a rollback within 5 minutes (high)",
          ALL,
          {
            thresholds: [
              {
                metric: "api.5xx",
                comparison: ">",
                value: 5,
                unit: "count",
                windowSeconds: 60,
                sense: "trigger",
              },
              { metric: "rollback.duration", comparison: "<=", value: 300, unit: "seconds" },
            ],
            suite: "post-deploy",
          },
        ),
        attested(
          "tenant-deploy/9.2/functional-regression",
          "A reported functional regression is verified, then rolled back",
          "on-call-engineer",
          ALL,
          { notes: "A person decides; the decision is recorded as the rollback reason." },
        ),
        attested(
          "tenant-deploy/9.2/security-vulnerability",
          "A discovered security vulnerability is rolled back immediately",
          "on-call-engineer",
          ALL,
          { notes: "A person decides; the decision is recorded as the rollback reason." },
        ),
        attested(
          "tenant-deploy/9.2/data-corruption",
          "Detected data corruption is rolled back immediately and an incident opened",
          "on-call-engineer",
          ALL,
          { notes: "A person decides; the decision is recorded as the rollback reason." },
        ),
      ],
    },
    {
      number: "9.3",
      title: "Rollback procedure",
      suite: "rollback",
      items: [
        automated(
          "tenant-deploy/9.3/rollback-requires-reason",
          "A rollback is refused without a reason, and the reason is recorded with it",
          ALL,
        ),
        automated(
          "tenant-deploy/9.3/rollback-to-target-version",
          "A rollback to a named target version points latest-{env} at that version",
          ALL,
        ),
        attested(
          "tenant-deploy/9.3/prod-rollback-approved",
          "A PROD rollback is approved before it runs",
          "prod-approver",
          ["prod"],
        ),
      ],
    },
    {
      number: "9.4",
      title: "Manual rollback without GitHub Actions",
      suite: "rollback",
      items: [
        automated(
          "tenant-deploy/9.4/backup-alias-found",
          "A backup-* alias exists and names the version to return to",
          ALL,
          { suite: "post-deploy" },
        ),
        automated(
          "tenant-deploy/9.4/alias-reverted-to-backup",
          "latest-{env} is moved to the backup alias's version",
          ALL,
        ),
        automated(
          "tenant-deploy/9.4/rollback-verified",
          "get-alias shows latest-{env} on the backup version and the health check reports that version",
          ALL,
        ),
        automated(
          "tenant-deploy/9.4/code-matches-record",
          "The version rolled back to carries the CodeSha256 recorded when it was deployed",
          ALL,
          {
            notes:
              "A rollback returns to bits that were verified once: the package must be the one recorded in bbws-deployments-{env}, not a version republished since.",
          },
        ),
        automated(
          "tenant-deploy/9.4/errors-recovered",
          "Over the recovery window after the rollback, the error rate is back under the 10% that triggers one (9.2)",
          ALL,
          {
            thresholds: [{ metric: "lambda.error-rate", comparison: "<", value: 10, unit: "percent" }],
            notes:
              "The window is environments.<env>.rollback.recoveryWindowSeconds; no invocations in it is inconclusive, never a pass.",
          },
        ),
      ],
    },
  ],
};
