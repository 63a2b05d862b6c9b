// How long does ranking a model's probabilities take on the caller's thread?
//
//     node benchmarks/ranking.mjs [--repeats 500]
//
// web/ranking.js (a native sort of packed keys) against sorting { label, prob } objects with a
// comparator, as the page did before, for the digits' 10 labels and ETL9B's 3,036; V8, as in
// Chromium. Prints the median of `repeats` calls in ms.
import { parseArgs } from 'node:util';

import { rankLabels } from '../web/ranking.js';
import { header } from './header.mjs';

let values;
try {
  ({ values } = parseArgs({ options: { repeats: { type: 'string', default: '500' } } }));
} catch (error) {
  console.error(`error: ${error.message}`);
  process.exit(2);
}
const repeats = Number(values.repeats);
if (!Number.isInteger(repeats) || repeats < 1) {
  console.error(`error: --repeats must be a whole number of at least 1, got ${values.repeats}`);
  process.exit(2);
}

const byComparator = (labels, probs) => labels
  .map((label, i) => ({ label, prob: probs[i] }))
  .sort((a, b) => b.prob - a.prob);

function medianMs(rank, labels, probs) {
  for (let i = 0; i < 50; i++) rank(labels, probs); // warm-up: V8 optimises both first
  const times = [];
  for (let i = 0; i < repeats; i++) {
    const started = performance.now();
    rank(labels, probs);
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

console.log(header());
console.log('| labels | comparator over objects | web/ranking.js |');
console.log('|---:|---:|---:|');
for (const count of [10, 3036]) {
  const labels = Array.from({ length: count }, (_, i) => String.fromCodePoint(0x4e00 + i));
  const logits = Array.from({ length: count }, (_, i) => Math.sin(i * 12.9898) * 8);
  const total = logits.reduce((sum, logit) => sum + Math.exp(logit), 0);
  const probs = Float32Array.from(logits, (logit) => Math.exp(logit) / total);
  const before = medianMs(byComparator, labels, probs).toFixed(3);
  const after = medianMs(rankLabels, labels, probs).toFixed(3);
  console.log(`| ${count.toLocaleString('en')} | ${before} ms | ${after} ms |`);
}
