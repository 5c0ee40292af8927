import type { Datapoint } from "../metrics/types.ts";
import { addSeries, bucketize } from "../metrics/window.ts";
import type { MonitorTarget, ScopedSeries, Series } from "./types.ts";

/** Reduces one poll's series to the target's scope: the function as a whole, or the canary version alone. */
export function scopeSeries(series: readonly Series[], target: MonitorTarget): ScopedSeries {
  const matching = oneFamily(series.filter((s) => inScope(s, target, hasExecutedVersion(series, target))));
  const sums = (metric: Series["metric"]): Datapoint[] =>
    addSeries(...matching.filter((s) => s.metric === metric && s.stat === "Sum").map((s) => s.points));
  const duration: Record<string, Datapoint[]> = {};
  for (const s of matching.filter((m) => m.metric === "Duration")) {
    // Percentiles of disjoint traffic cannot be combined exactly; the worst one is the safe reading.
    duration[s.stat] = bucketizeMax([...(duration[s.stat] ?? []), ...s.points]);
  }
  return { errors: sums("Errors"), invocations: sums("Invocations"), throttles: sums("Throttles"), duration };
}

/** The same invocations are published under several dimension sets ({FunctionName, ExecutedVersion} and
 * {FunctionName, Resource, ExecutedVersion}); adding them would count each call twice, so only the first set
 * (in query order) that holds data is kept. */
function oneFamily(series: readonly Series[]): Series[] {
  const family = (s: Series) => Object.keys(s.dimensions).sort().join(",");
  const withData = series.find((s) => s.points.length > 0) ?? series[0];
  if (withData === undefined) return [];
  const chosen = family(withData);
  return series.filter((s) => family(s) === chosen);
}

/** Whether a series belongs to the target. */
export function inScope(series: Series, target: MonitorTarget, preferExecutedVersion = true): boolean {
  const dims = series.dimensions;
  if (dims.FunctionName !== target.functionName) return false;
  if (target.kind === "function") return Object.keys(dims).length === 1;
  // Alias traffic carries ExecutedVersion; a direct call of the version shows as Resource "fn:version" only.
  if (preferExecutedVersion) return dims.ExecutedVersion === target.version;
  return dims.ExecutedVersion === undefined && dims.Resource === `${target.functionName}:${target.version}`;
}

/** The dimension sets a poll should query for the target, in the order `scopeSeries` prefers them. */
export function dimensionSetsFor(target: MonitorTarget, aliasName?: string): Array<Record<string, string>> {
  if (target.kind === "function") return [{ FunctionName: target.functionName }];
  const { functionName, version } = target;
  const sets: Array<Record<string, string>> = [{ FunctionName: functionName, ExecutedVersion: version }];
  if (aliasName !== undefined) {
    sets.push({
      FunctionName: functionName,
      Resource: `${functionName}:${aliasName}`,
      ExecutedVersion: version,
    });
  }
  sets.push({ FunctionName: functionName, Resource: `${functionName}:${version}` });
  return sets;
}

function hasExecutedVersion(series: readonly Series[], target: MonitorTarget): boolean {
  return (
    target.kind === "canary" &&
    series.some(
      (s) =>
        s.dimensions.FunctionName === target.functionName && s.dimensions.ExecutedVersion === target.version,
    )
  );
}

function bucketizeMax(points: readonly Datapoint[]): Datapoint[] {
  // Same timestamps only: bucket size 1 ms keeps the original periods while taking the maximum per period.
  return bucketize(points, 1, "max");
}
