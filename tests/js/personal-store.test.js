// What a recognizer kept of a person's teaching, read back (web/personal-store.js): each drawing
// and the head checked alone, a damaged one set aside and the rest kept; the previous page's one
// entry split into drawings; thousands of drawings fitted on a bounded subset of every label.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { checkHead, fitSubset, previousRecords, sortDrawings } from '../../web/personal-store.js';

const MODEL = { modelHash: 'a'.repeat(64), featureSize: 3, pooledSize: 4 };
const IDS = [3, 5];
const STROKES = [[[0, 0], [10, 5]]];
const head = (changes = {}) => ({
  modelHash: MODEL.modelHash, labels: ['0', '1'], rows: new Float32Array(6), bias: new Float32Array(2),
  drawn: new Float32Array(8), drawnLabels: Int32Array.of(0, 1), drawnAlike: Float32Array.of(0.3, 0.9),
  sureUpTo: Float32Array.of(Infinity, Infinity), fittedOn: IDS, ...changes,
});

test('a head as written is used while the model and the drawings are those it was fitted to', () => {
  const kept = head();
  assert.equal(checkHead(kept, MODEL, IDS), kept);
  assert.equal(checkHead(undefined, MODEL, IDS), null);
});

test('a head fitted to another model, or to other drawings (another tab taught), is fitted again', () => {
  assert.equal(checkHead(head({ modelHash: 'b'.repeat(64) }), MODEL, IDS), null);
  assert.equal(checkHead(head(), MODEL, [3, 5, 8]), null);
  assert.equal(checkHead(head(), MODEL, [3, 6]), null);
});

test('a damaged head is named, never used', () => {
  for (const [stored, problem] of [
    ['text', 'the head is not an object'],
    [head({ modelHash: 7 }), 'the head names no model'],
    [head({ labels: 'ab' }), 'the head has no list of labels'],
    [head({ rows: [0, 0, 0, 0, 0, 0] }), 'the head has no weights'],
    [head({ rows: new Float32Array(5) }), "the head's weights do not fit 2 labels of 3 features"],
    [head({ bias: Float32Array.of(0, Infinity) }), 'the head holds a weight that is not a number'],
    [head({ rows: new Float32Array(6).fill(NaN) }), 'the head holds a weight that is not a number'],
    [head({ drawn: [0, 0, 0, 0, 0, 0, 0, 0] }), 'the head keeps no features of the drawings'],
    [head({ drawn: new Float32Array(7) }), "the head's drawings do not fit 2 drawings of 4 features"],
    [head({ drawnLabels: Int32Array.of(0, 2) }), "the head's drawings name a label it does not have"],
    [head({ drawn: new Float32Array(8).fill(NaN) }), "the head's drawings hold a value that is not a number"],
    [head({ drawnAlike: Float32Array.of(0.3) }), "the head's drawings have no likeness to count from"],
    [head({ sureUpTo: Float32Array.of(NaN, 1) }), "the head's labels have no sureness to stop at"],
    [head({ fittedOn: undefined }), 'the head names no drawings'],
  ]) assert.equal(checkHead(stored, MODEL, IDS), problem);
});

test('one damaged drawing is set aside alone: the good ones are kept, in the order taught', () => {
  const good = [5, 2, 9].map((id) => ({ id, model: 'm/', label: String(id), strokes: STROKES }));
  const bad = [
    [{ id: 4, label: '7', strokes: [[[0, NaN]]] }, 'a point is not a number'],
    [{ id: 6, label: '', strokes: STROKES }, 'no label'],
    [{ id: 7, label: '7', strokes: [] }, 'no strokes'],
    [{ id: 8, label: '7', strokes: [[[0, 0, 0]]] }, 'a stroke is not a list of [x, y] points'],
    [null, 'no label'],
  ];
  const { drawings, damaged } = sortDrawings([...good, ...bad.map(([item]) => item)]);
  assert.deepEqual(drawings.map(({ id }) => id), [2, 5, 9]);
  assert.deepEqual(drawings[0], { id: 2, label: '2', strokes: STROKES });
  assert.deepEqual(damaged, bad.map(([item, problem]) => ({ kind: 'drawing', problem, item })));
});

test("the previous page's entry becomes its drawings' records, to be checked one by one", () => {
  const seven = { label: '7', strokes: STROKES };
  const nan = { label: '7', strokes: [[[0, NaN]]] };
  const records = previousRecords({ examples: [seven, nan, null], head: { modelHash: 7 } });
  assert.deepEqual(records, [seven, nan, { label: undefined, strokes: undefined }]);
  const { drawings, damaged } = sortDrawings(records.map((record, i) => ({ id: i + 1, ...record })));
  assert.deepEqual(drawings, [{ id: 1, ...seven }]);
  assert.deepEqual(damaged.map(({ problem }) => problem), ['a point is not a number', 'no label']);
  assert.deepEqual(previousRecords('text'), [{ entry: 'text' }]);
  assert.deepEqual(sortDrawings([{ id: 1, entry: 'text' }]).damaged[0].problem, 'no label');
});

test('thousands of drawings are fitted on a bounded subset: as many of each label, the newest', () => {
  const drawings = Array.from({ length: 10_000 }, (_, i) => ({ id: i + 1, label: String(i % 10), strokes: STROKES }));
  const subset = fitSubset(drawings, 500);
  assert.equal(subset.length, 500);
  for (let digit = 0; digit < 10; digit++) {
    const ofDigit = subset.filter(({ label }) => label === String(digit));
    assert.equal(ofDigit.length, 50);
    assert.ok(ofDigit.every(({ id }) => id > 9_500)); // the newest of each
  }
  assert.deepEqual(subset.map(({ id }) => id), [...subset.map(({ id }) => id)].sort((a, b) => a - b));
  assert.deepEqual(fitSubset(drawings, 500), subset); // the same drawings, the same head

  // 300 labels, unevenly taught: every label keeps a place; a label with few keeps all it has.
  const many = Array.from({ length: 2_000 }, (_, i) => ({ id: i + 1, label: `L${i < 1_000 ? 0 : i % 300}`, strokes: STROKES }));
  const labels = new Set(many.map(({ label }) => label));
  const chosen = fitSubset(many, 500);
  assert.equal(chosen.length, 500);
  assert.equal(new Set(chosen.map(({ label }) => label)).size, labels.size);
  assert.equal(fitSubset(drawings.slice(0, 20), 500).length, 20);
  // More labels than drawings allowed: one of each, the newest.
  const one = fitSubset(many, 100);
  assert.equal(one.length, 300);
  assert.equal(new Set(one.map(({ label }) => label)).size, 300);
});
