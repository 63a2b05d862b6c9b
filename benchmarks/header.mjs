// benchmarks/common.py's header line, for the benchmarks that run in Node: the commit, the CPU,
// the date (UTC); no trained model is measured by them.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export function header() {
  const root = new URL('..', import.meta.url);
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'] }).trim() || 'unknown';
  } catch { /* not a git checkout */ }
  let cpu = 'unknown CPU';
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n')
      .find((text) => text.startsWith('model name'));
    if (line) cpu = line.split(':').slice(1).join(':').trim();
  } catch { /* no /proc */ }
  return `commit ${commit} · model none · ${cpu} · ${new Date().toISOString().slice(0, 10)}`;
}

