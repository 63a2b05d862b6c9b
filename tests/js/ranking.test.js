// Labels ranked by probability (web/ranking.js).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { rankLabels } from '../../web/ranking.js';

// What the page did before: objects sorted by a comparator (stable, so ties keep label order).
const byComparator = (labels, probs) => labels
  .map((label, i) => ({ label, prob: probs[i] }))
  .sort((a, b) => b.prob - a.prob);

test('most likely first, every label once, the probabilities as given', () => {
  const ranked = rankLabels(['0', '1', '2', '3'], new Float32Array([0.1, 0.6, 0, 0.3]));
  assert.deepEqual(ranked.map(({ label }) => label), ['1', '3', '0', '2']);
  assert.equal(ranked[0].prob, new Float32Array([0.6])[0]);
});

test('equal probabilities keep the labels order', () => {
  const ranked = rankLabels(['a', 'b', 'c', 'd'], new Float32Array([0.25, 0.5, 0.25, 0]));
  assert.deepEqual(ranked.map(({ label }) => label), ['b', 'a', 'c', 'd']);
});

test('one of several answers (a view into the batch\'s probabilities)', () => {
  const batch = new Float32Array([0.9, 0.1, 0.2, 0.8]);
  const ranked = rankLabels(['x', 'y'], batch.subarray(2, 4));
  assert.deepEqual(ranked.map(({ label }) => label), ['y', 'x']);
});

test('a softmax over thousands of labels ranks as a comparator sort does', () => {
  const count = 3036;
  const labels = Array.from({ length: count }, (_, i) => `label ${i}`);
  let seed = 1;
  const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  const logits = Array.from({ length: count }, () => (random() < 0.1 ? 0 : 8 * random()));
  const total = logits.reduce((sum, logit) => sum + Math.exp(logit), 0);
  const probs = Float32Array.from(logits, (logit) => Math.exp(logit) / total);
  assert.deepEqual(rankLabels(labels, probs), byComparator(labels, probs));
});

test('its benchmark runs and prints a row for 10 and for 3,036 labels', () => {
  const script = fileURLToPath(new URL('../../benchmarks/ranking.mjs', import.meta.url));
  const table = execFileSync(process.execPath, [script, '--repeats', '3'], { encoding: 'utf8' });
  const row = /^\| [\d,]+ \| [\d.]+ ms \| [\d.]+ ms \|$/;
  const rows = table.split('\n').filter((line) => row.test(line));
  assert.deepEqual(rows.map((row) => row.split(' | ')[0]), ['| 10', '| 3,036']);
});

test('its benchmark refuses a bad --repeats in one line', () => {
  const script = fileURLToPath(new URL('../../benchmarks/ranking.mjs', import.meta.url));
  for (const repeats of ['abc', '0']) {
    const run = spawnSync(process.execPath, [script, '--repeats', repeats], { encoding: 'utf8' });
    assert.equal(run.status, 2);
    const expected = `error: --repeats must be a whole number of at least 1, got ${repeats}\n`;
    assert.equal(run.stderr, expected);
  }
});
