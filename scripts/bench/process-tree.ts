/**
 * Peak resident memory of a whole process tree (a command, its children and theirs), sampled from /proc: the
 * sum of VmRSS over the root and every descendant, every `intervalMs`. GNU time's maximum RSS is of one process
 * only; a verify run is verify, npm, the Playwright runner and its workers, and what a machine must hold is
 * their sum at its highest. Linux only; elsewhere the sampler reports null.
 */
import { readdirSync, readFileSync } from "node:fs";

/** ppid of each running process, from /proc/<pid>/stat (the field after the parenthesised command name). */
function parentsByPid(): Map<number, number> {
  const parents = new Map<number, number>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      parents.set(Number(name), Number(fields[1]));
    } catch {
      // The process exited between the listing and the read.
    }
  }
  return parents;
}

function rssKb(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** The root and all its descendants now. */
export function processTree(root: number): number[] {
  const parents = parentsByPid();
  const tree = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, ppid] of parents) {
      if (!tree.has(pid) && tree.has(ppid)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  return [...tree];
}

export interface TreeSampler {
  /** Stops sampling; the peak sum of RSS (MB) and the most processes seen at once, or null off Linux. */
  stop(): { peakMb: number; peakProcesses: number } | null;
}

/** Samples the tree under `root` until stopped. */
export function sampleTreeRss(root: number, intervalMs = 50): TreeSampler {
  if (process.platform !== "linux") return { stop: () => null };
  let peakKb = 0;
  let peakProcesses = 0;
  const sample = () => {
    const pids = processTree(root);
    const kb = pids.reduce((sum, pid) => sum + rssKb(pid), 0);
    if (kb > peakKb) peakKb = kb;
    if (pids.length > peakProcesses) peakProcesses = pids.length;
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return { peakMb: Math.round(peakKb / 102.4) / 10, peakProcesses };
    },
  };
}
