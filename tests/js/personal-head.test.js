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
  // Taught: two drawings of 0, one of 1; the drawing read resembles the 1 closely (cosine 0.9).
  const head = { ...HEAD, drawnLabels: Int32Array.of(0, 0, 1) };
  const probs = headProbabilities(head, FEATURES, Float32Array.of(0.2, 0.3, 0.9));
  assert.ok(probs[1] > 0.99, String(probs));
});

test('a likeness that is not close moves nothing', () => {
  // The 1 taught is odd: the drawing resembles it little (cosine 0.25), no more than the 0s.
  const alone = headProbabilities({ ...HEAD, drawnLabels: new Int32Array(0) }, FEATURES, []);
  const unlike = headProbabilities({ ...HEAD, drawnLabels: Int32Array.of(0, 0, 1) }, FEATURES,
    Float32Array.of(0.2, 0.25, 0.25));
  assert.deepEqual(unlike, alone);
});
