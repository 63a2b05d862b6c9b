// The personal head's arithmetic (web/personal-head.js, a classic script the worker imports): its
// reading, the head's logits moved towards the labels whose taught drawings the drawing resembles
// most, and what its fit does with a drawing that contradicts a sure model answer.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import vm from 'node:vm';

const script = readFileSync(new URL('../../web/personal-head.js', import.meta.url), 'utf8');
const { headProbabilities, fitHead } = vm.runInNewContext(`${script}; ({ headProbabilities, fitHead })`);

// Three labels, two features; the head alone leans to label 0.
const HEAD = { rows: Float32Array.of(1, 0, 0, 1, 0, 0), bias: Float32Array.of(0, 0, 0), size: 2 };
const PRIOR = HEAD;
const FEATURES = Float32Array.of(1, 0.5);
const taught = (labels, alike = 0.3) => ({
  drawnLabels: Int32Array.from(labels), drawnAlike: new Float32Array(labels.length).fill(alike),
  sureUpTo: new Float32Array(3).fill(Infinity),
});

test('without taught drawings it reads as the head does', () => {
  const probs = headProbabilities({ ...HEAD, ...taught([]) }, FEATURES, [], PRIOR);
  const logits = [1, 0.5, 0];
  const total = logits.reduce((sum, z) => sum + Math.exp(z), 0);
  logits.forEach((z, label) => assert.ok(Math.abs(probs[label] - Math.exp(z) / total) < 1e-6));
});

test('a drawing like the taught drawings of label 1 is read as 1', () => {
  // Taught: two drawings of 0, one of 1; the drawing read resembles the 1 closely (cosine 0.9).
  const probs = headProbabilities({ ...HEAD, ...taught([0, 0, 1]) }, FEATURES,
    Float32Array.of(0.2, 0.3, 0.9), PRIOR);
  assert.ok(probs[1] > 0.99, String(probs));
});

test('a likeness that is not close moves nothing', () => {
  // The 1 taught is odd: the drawing resembles it little (cosine 0.25), no more than the 0s.
  const alone = headProbabilities({ ...HEAD, ...taught([]) }, FEATURES, [], PRIOR);
  const unlike = headProbabilities({ ...HEAD, ...taught([0, 0, 1]) }, FEATURES,
    Float32Array.of(0.2, 0.25, 0.25), PRIOR);
  assert.deepEqual(unlike, alone);
});

test("a label of the person's own wins only where the model is no surer than it was of theirs", () => {
  // The model knows labels 0 and 1; label 2 is the person's, its row larger than the others.
  const prior = { rows: Float32Array.of(4, 0, 0, 4), bias: Float32Array.of(0, 0), size: 2 };
  const head = { rows: Float32Array.of(4, 0, 0, 4, 6, 6), bias: Float32Array.of(0, 0, 0), size: 2,
    drawnLabels: Int32Array.of(2), drawnAlike: Float32Array.of(0.5), sureUpTo: Float32Array.of(Infinity, Infinity, 0.8) };
  const [sureZero, unsure] = [Float32Array.of(1, 0.2), Float32Array.of(0.5, 0.5)];
  const read = (features, cosine) => headProbabilities(head, features, Float32Array.of(cosine), prior);
  const sure = read(sureZero, 0.9); // the model reads it as 0 at 0.96
  assert.ok(sure[0] > sure[2] && sure[2] > 0.2, String(sure)); // not theirs, but "not sure"
  assert.ok(read(unsure, 0.9)[2] > 0.9); // the model is torn (0.5): it is the person's
  // Resembling their drawing less than they resemble one another: not theirs either.
  const unlike = read(unsure, 0.4);
  assert.ok(unlike[2] < Math.max(unlike[0], unlike[1]), String(unlike));
});

// Two labels the model reads surely from two features; drawings' pooled features are 2 long too.
const SURE = { rows: Float32Array.of(8, 0, 0, 8), bias: Float32Array.of(0, 0), size: 2 };

test('one drawing taught against a sure answer moves only its near-duplicates, until a second agrees', () => {
  const zero = [1, 0];
  const alone = fitHead(SURE, Float32Array.of(...zero), Int32Array.of(1), 2, Float32Array.of(1, 0), 1);
  assert.deepEqual(Array.from(alone.rows), Array.from(SURE.rows)); // left out of the fit
  assert.ok(alone.drawnAlike[0] > 0.8, String(alone.drawnAlike));
  const twice = fitHead(SURE, Float32Array.of(...zero, 0.9, 0.1), Int32Array.of(1, 1), 2,
    Float32Array.of(1, 0, 0.99, 0.14), 2);
  assert.ok(twice.rows[2] > SURE.rows[2], String(twice.rows)); // label 1's row turns to them
  assert.deepEqual(Array.from(twice.drawnAlike), [0.3, 0.3].map(Math.fround));
});

test("a new label's likeness and sureness are calibrated on the person's drawings of it", () => {
  // Three drawings of label 2, the model unsure of them (features 0.1 apart at most)
  const features = Float32Array.of(0.2, 0.2, 0.25, 0.2, 0.2, 0.25);
  const drawn = Float32Array.of(1, 0, 0.8, 0.6, 0.6, 0.8); // cosines 0.8, 0.96 and 0.48
  const head = fitHead(SURE, features, Int32Array.of(2, 2, 2), 3, drawn, 3);
  // Each drawing's closest other is at 0.8, 0.96, 0.96: the least of these, less the slack (0.15)
  head.drawnAlike.forEach((alike) => assert.ok(Math.abs(alike - 0.65) < 1e-6, String(head.drawnAlike)));
  // The model's surest answer on them (0.6, on the third) and the slack (0.1)
  assert.ok(Math.abs(head.sureUpTo[2] - 0.7) < 0.01, String(head.sureUpTo));
  assert.equal(head.sureUpTo[0], Infinity);
});
