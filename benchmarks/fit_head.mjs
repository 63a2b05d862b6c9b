// How long does fitting the personal head take with thousands of labels, and how far is it from
// the exact fit?
//
//     node benchmarks/fit_head.mjs [--labels 2279] [--repeats 3]
//
// web/personal-head.js's fitHead (what the recognizer's worker runs on a teach()) on synthetic
// features of the Japanese model's shape (256 features, 2,279 labels, 200 reference drawings as
// metadata.json's "references" holds at most), for a person's drawings each of another label
// (corrections: every drawing's likeliest labels move) with their 8 variations, as the page fits
// them (at most 200 drawings), and for 5 drawings of a label of their own. Features are computed
// by the model before the fit, and are not timed. Prints the median of `repeats` fits in ms, of
// the wall clock and of this process's CPU time (which another process's load changes less); the
// same of the exact fit (every input's softmax over every moving label: EXACT_UP_TO unbounded);
// and how the two heads read (their logits; the resemblance to the taught drawings is the same for
// both) the taught drawings and 200 untaught ones like them (variations of them, not fitted): how
// many each reads as the drawing's label, and how many of the 200 the fit reads otherwise than the
// exact fit.
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
const exactScript = script.replace(/^const EXACT_UP_TO = \d+;$/m, 'const EXACT_UP_TO = Infinity;');
if (exactScript === script) throw new Error('web/personal-head.js declares no EXACT_UP_TO');
// In this context, as the worker runs it: in a vm context of its own, every use of a global
// (Math.exp) goes through that context's global object, and the fit takes 2-20 times as long.
const fitHead = new Function(`${script}; return fitHead;`)();
const exactFitHead = new Function(`${exactScript}; return fitHead;`)();

const SIZE = 256; // the Japanese model's features: the dense layer before its output layer (configs/japanese.toml)
const POOLED = 1024;
const VARIATIONS = 8; // web/variations.js
const REFERENCES = 200;
const UNTAUGHT = 200; // drawings like the taught ones, read by both heads

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

// The median of `repeats` fits of `fit`, in ms of the wall clock and of CPU time, and the head.
function timed(fit, args) {
  const [wall, cpu] = [[], []];
  let head;
  for (let r = 0; r < repeats; r++) {
    const [started, startedCpu] = [performance.now(), process.cpuUsage()];
    head = fit(...args);
    const { user, system } = process.cpuUsage(startedCpu);
    wall.push(performance.now() - started);
    cpu.push((user + system) / 1000);
  }
  const median = (times) => times.sort((a, b) => a - b)[Math.floor(times.length / 2)].toFixed(0);
  return { wall: median(wall), cpu: median(cpu), head };
}

// The likeliest label of each row of `features` under a head's logits.
function likeliestLabels({ rows, bias, size }, features) {
  return Array.from({ length: features.length / size }, (_, i) => {
    let [best, largest] = [-1, -Infinity];
    for (let label = 0; label < bias.length; label++) {
      let z = bias[label];
      for (let j = 0; j < size; j++) z += rows[label * size + j] * features[i * size + j];
      if (z > largest) [best, largest] = [label, z];
    }
    return best;
  });
}

// `targets` of the drawings (labels >= labelCount: the person's own), with their variations.
function fitRow(targets) {
  const drawings = targets.length;
  const base = targets.map(drawingFeatures);
  const rows = [...base, ...base.flatMap((features) => Array.from({ length: VARIATIONS }, () => near(features)))];
  const features = new Float32Array(rows.length * SIZE);
  rows.forEach((row, i) => features.set(row, i * SIZE));
  const allTargets = Int32Array.from([...targets, ...targets.flatMap((target) => Array(VARIATIONS).fill(target))]);
  const drawn = new Float32Array(drawings * POOLED);
  for (let d = 0; d < drawings; d++) drawn.set(unit(POOLED), d * POOLED);
  const count = Math.max(labelCount, ...targets.map((target) => target + 1));
  const args = [prior, features, allTargets, count, drawn, drawings, notSureThreshold({}), references];
  const [fitted, exact] = [timed(fitHead, args), timed(exactFitHead, args)];
  const untaught = new Float32Array(UNTAUGHT * SIZE);
  for (let k = 0; k < UNTAUGHT; k++) untaught.set(near(base[k % drawings]), k * SIZE);
  const labelOf = (k) => targets[k % drawings];
  const [taughtFit, taughtExact] = [fitted, exact].map(({ head }) => likeliestLabels(head, features.subarray(0, drawings * SIZE)));
  const [untaughtFit, untaughtExact] = [fitted, exact].map(({ head }) => likeliestLabels(head, untaught));
  const right = (labels) => labels.filter((label, k) => label === labelOf(k)).length;
  const differ = untaughtFit.filter((label, k) => label !== untaughtExact[k]).length;
  return `${fitted.wall} | ${fitted.cpu} | ${exact.wall} | ${exact.cpu} | ${right(taughtFit)} / ${right(taughtExact)} of ${drawings}`
    + ` | ${right(untaughtFit)} / ${right(untaughtExact)} | ${differ} |`;
}

console.log(header());
console.log(`| drawings taught (${labelCount.toLocaleString('en')} labels) | drawings and variations | fit, ms (median of ${repeats}) | CPU time, ms`
  + ` | exact fit, ms | its CPU time, ms | taught read as their label, fit / exact | ${UNTAUGHT} untaught, the same`
  + ' | untaught read otherwise than by the exact fit |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const drawings of [1, 10, 50, 200]) {
  const targets = Array.from({ length: drawings }, (_, i) => (i * 37) % labelCount);
  console.log(`| ${drawings}, each of another label | ${drawings * (1 + VARIATIONS)} | ${fitRow(targets)}`);
}
console.log(`| 5 of a label of one's own | ${5 * (1 + VARIATIONS)} | ${fitRow(Array(5).fill(labelCount))}`);
