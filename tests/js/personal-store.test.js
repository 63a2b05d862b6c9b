// What a recognizer kept of a person's teaching, read back (web/personal-store.js): a damaged
// entry is named, a head fitted to another model is left out for refitting.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { checkPersonal } from '../../web/personal-store.js';

const MODEL = { modelHash: 'a'.repeat(64), featureSize: 3, pooledSize: 4 };
const EXAMPLES = [{ label: '7', strokes: [[[0, 0], [10, 5]]] }];
const head = (changes = {}) => ({
  modelHash: MODEL.modelHash, labels: ['0', '1'], rows: new Float32Array(6), bias: new Float32Array(2),
  drawn: new Float32Array(8), drawnLabels: Int32Array.of(0, 1), drawnAlike: Float32Array.of(0.3, 0.9),
  sureUpTo: Float32Array.of(Infinity, Infinity), ...changes,
});

test('an entry as written is read back whole', () => {
  const entry = { examples: EXAMPLES, head: head() };
  assert.deepEqual(checkPersonal(entry, MODEL), entry);
  assert.deepEqual(checkPersonal({ examples: [], head: null }, MODEL), { examples: [], head: null });
});

test("a head fitted to another model is left out: the drawings are fitted again", () => {
  assert.deepEqual(checkPersonal({ examples: EXAMPLES, head: head({ modelHash: 'b', rows: 'x' }) }, MODEL),
    { examples: EXAMPLES, head: null });
});

test("a head kept without the drawings' features (as before they were kept) is fitted again", () => {
  const older = head();
  delete older.drawn;
  delete older.drawnLabels;
  assert.deepEqual(checkPersonal({ examples: EXAMPLES, head: older }, MODEL), { examples: EXAMPLES, head: null });
  const withoutLikeness = head();
  delete withoutLikeness.drawnAlike;
  delete withoutLikeness.sureUpTo;
  assert.deepEqual(checkPersonal({ examples: EXAMPLES, head: withoutLikeness }, MODEL),
    { examples: EXAMPLES, head: null });
});

test('a damaged entry is named, never used', () => {
  for (const [entry, problem] of [
    ['text', 'not an object'],
    [{ head: head() }, 'no list of drawings'],
    [{ examples: [{ label: '', strokes: [] }] }, 'drawing 1 is not a label with strokes of points'],
    [{ examples: [{ label: '7', strokes: [[[0, NaN]]] }] }, 'drawing 1 is not a label with strokes of points'],
    [{ examples: EXAMPLES, head: head({ modelHash: 7 }) }, 'the head names no model'],
    [{ examples: EXAMPLES, head: head({ labels: 'ab' }) }, 'the head has no list of labels'],
    [{ examples: EXAMPLES, head: head({ rows: [0, 0, 0, 0, 0, 0] }) }, 'the head has no weights'],
    [{ examples: EXAMPLES, head: head({ rows: new Float32Array(5) }) },
      "the head's weights do not fit 2 labels of 3 features"],
    [{ examples: EXAMPLES, head: head({ bias: Float32Array.of(0, Infinity) }) },
      'the head holds a weight that is not a number'],
    [{ examples: EXAMPLES, head: head({ drawn: [0, 0, 0, 0, 0, 0, 0, 0] }) },
      'the head keeps no features of the drawings'],
    [{ examples: EXAMPLES, head: head({ drawn: new Float32Array(7) }) },
      "the head's drawings do not fit 2 drawings of 4 features"],
    [{ examples: EXAMPLES, head: head({ drawnLabels: Int32Array.of(0, 2) }) },
      "the head's drawings name a label it does not have"],
    [{ examples: EXAMPLES, head: head({ drawnAlike: Float32Array.of(0.3) }) },
      "the head's drawings have no likeness to count from"],
    [{ examples: EXAMPLES, head: head({ sureUpTo: Float32Array.of(NaN, 1) }) },
      "the head's labels have no sureness to stop at"],
    [{ examples: EXAMPLES, head: head({ drawn: new Float32Array(8).fill(NaN) }) },
      "the head's drawings hold a value that is not a number"],
  ]) assert.equal(checkPersonal(entry, MODEL), problem);
});
