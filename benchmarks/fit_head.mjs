// How long does fitting the personal head take with thousands of labels?
//
//     node benchmarks/fit_head.mjs [--labels 2279] [--repeats 3]
//
// web/personal-head.js's fitHead (what the recognizer's worker runs on a teach()) on synthetic
// features of the Japanese model's shape (128 features, 2,279 labels, 200 reference drawings as
// metadata.json's "references" holds at most), for a person's drawings each of another label
// (corrections: every drawing's likeliest labels move) with their 8 variations, as the page fits
// them (at most 200 drawings), and for 5 drawings of a label of their own. Features are computed
// by the model before the fit, and are not timed. Prints the median of `repeats` fits in ms, of
// the wall clock and of this process's CPU time (which another process's load changes less).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { notSureThreshold } from '../web/metadata.js';
import { header } from './header.mjs';

let values;
try {
  ({ values } = parseArgs({ options: {
    labels: { type: 'string', default: '2279' }, repeats: { type: 'string', default: '3' },
  } }));
} catch (error) {
  console.error(`error: ${error.message}`);
  process.exit(2);
}
const [labelCount, repeats] = [Number(values.labels), Number(values.repeats)];
for (const [flag, value] of [['--labels', labelCount], ['--repeats', repeats]]) {
  if (!Number.isInteger(value) || value < 1 || (flag === '--labels' && value < 2)) {
    console.error(`error: ${flag} must be a whole number of at least ${flag === '--labels' ? 2 : 1}, got ${values[flag.slice(2)]}`);
    process.exit(2);
  }
}

const script = readFileSync(new URL('../web/personal-head.js', import.meta.url), 'utf8');
// In this context, as the worker runs it: in a vm context of its own, every use of a global
// (Math.exp) goes through that context's global object, and the fit takes 2-20 times as long.
const { fitHead } = new Function(`${script}; return { fitHead };`)();

const SIZE = 128; // the Japanese CNN's features (configs/japanese.toml)
const POOLED = 1024;
const VARIATIONS = 8; // web/variations.js
const REFERENCES = 200;

// A seeded generator (mulberry32), and normal numbers from it.
let seed = 1;
function uniform() {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());

const prior = {
  rows: Float32Array.from({ length: labelCount * SIZE }, () => normal() * 0.3),
  bias: Float32Array.from({ length: labelCount }, () => normal() * 0.1),
  size: SIZE,
};
// ReLU features: a drawing's, and its variations' near it.
const drawingFeatures = () => Float32Array.from({ length: SIZE }, () => Math.max(0, normal()));
const near = (features) => features.map((value) => Math.max(0, value + normal() * 0.2));
const unit = (length) => {
  const row = Float32Array.from({ length }, () => Math.abs(normal()));
  const norm = Math.hypot(...row);
  return row.map((value) => value / norm);
};
const references = {
  labels: Array.from({ length: REFERENCES }, (_, i) => (i * 11) % labelCount),
  features: Float32Array.from({ length: REFERENCES * SIZE }, () => Math.max(0, normal())),
};

// `targets` of the drawings (labels >= labelCount: the person's own), with their variations.
function fitMs(targets) {
  const drawings = targets.length;
  const base = targets.map(drawingFeatures);
  const rows = [...base, ...base.flatMap((features) => Array.from({ length: VARIATIONS }, () => near(features)))];
  const features = new Float32Array(rows.length * SIZE);
  rows.forEach((row, i) => features.set(row, i * SIZE));
  const allTargets = Int32Array.from([...targets, ...targets.flatMap((target) => Array(VARIATIONS).fill(target))]);
  const drawn = new Float32Array(drawings * POOLED);
  for (let d = 0; d < drawings; d++) drawn.set(unit(POOLED), d * POOLED);
  const count = Math.max(labelCount, ...targets.map((target) => target + 1));
  const [wall, cpu] = [[], []];
  for (let r = 0; r < repeats; r++) {
    const [started, startedCpu] = [performance.now(), process.cpuUsage()];
    fitHead(prior, features, allTargets, count, drawn, drawings, notSureThreshold({}), references);
    const { user, system } = process.cpuUsage(startedCpu);
    wall.push(performance.now() - started);
    cpu.push((user + system) / 1000);
  }
  return [wall, cpu].map((times) => times.sort((a, b) => a - b)[Math.floor(times.length / 2)].toFixed(0));
}

console.log(header());
console.log(`| drawings taught (${labelCount.toLocaleString('en')} labels) | inputs fitted | fit, ms (median of ${repeats}) | CPU time, ms |`);
console.log('|---|---:|---:|---:|');
for (const drawings of [1, 10, 50, 200]) {
  const targets = Array.from({ length: drawings }, (_, i) => (i * 37) % labelCount);
  const [wall, cpu] = fitMs(targets);
  console.log(`| ${drawings}, each of another label | ${drawings * (1 + VARIATIONS)} | ${wall} | ${cpu} |`);
}
const [wall, cpu] = fitMs(Array(5).fill(labelCount));
console.log(`| 5 of a label of one's own | ${5 * (1 + VARIATIONS)} | ${wall} | ${cpu} |`);
