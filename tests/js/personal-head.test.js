// The personal head's reading (web/personal-head.js, a classic script the worker imports): the
// head's logits, moved towards the labels whose taught drawings the drawing resembles most.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import vm from 'node:vm';

const script = readFileSync(new URL('../../web/personal-head.js', import.meta.url), 'utf8');
const { headProbabilities } = vm.runInNewContext(`${script}; ({ headProbabilities })`);

// Three labels, two features; the head alone leans to label 0.
const HEAD = { rows: Float32Array.of(1, 0, 0, 1, 0, 0), bias: Float32Array.of(0, 0, 0), size: 2 };
const FEATURES = Float32Array.of(1, 0.5);

test('without taught drawings it reads as the head does', () => {
  const probs = headProbabilities({ ...HEAD, drawnLabels: new Int32Array(0) }, FEATURES, []);
  const logits = [1, 0.5, 0];
  const total = logits.reduce((sum, z) => sum + Math.exp(z), 0);
  logits.forEach((z, label) => assert.ok(Math.abs(probs[label] - Math.exp(z) / total) < 1e-6));
});

test('a drawing like the taught drawings of label 1 is read as 1', () => {
  // Taught: two drawings of 0, one of 1; the drawing read resembles the 1 (cosine 0.9) more than
  // the closest 0 (0.3). The 0 falls below label 2, which was not taught and stays as it was.
  const head = { ...HEAD, drawnLabels: Int32Array.of(0, 0, 1) };
  const probs = headProbabilities(head, FEATURES, Float32Array.of(0.2, 0.3, 0.9));
  assert.ok(probs[1] > 0.99 && probs[2] > probs[0], String(probs));
});

test('with one label taught, resemblance moves nothing: the labels are compared with each other', () => {
  const alone = headProbabilities({ ...HEAD, drawnLabels: new Int32Array(0) }, FEATURES, []);
  const oneLabel = headProbabilities({ ...HEAD, drawnLabels: Int32Array.of(1, 1) }, FEATURES,
    Float32Array.of(0.9, 0.8));
  assert.deepEqual(oneLabel, alone);
});
