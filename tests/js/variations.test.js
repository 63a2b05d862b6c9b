// A taught drawing's variations (web/variations.js): the same every time, and each a drawing of
// the same shape turned, slanted and stretched a little, never a copy.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { VARIATIONS, variationsOf } from '../../web/variations.js';

const SEVEN = [[[0, 0], [10, 0], [4, 20]], [[2, 10], [8, 10]]];

test('a drawing and a seed always give the same variations; another seed, others', () => {
  assert.deepEqual(variationsOf(SEVEN, 3), variationsOf(SEVEN, 3));
  assert.notDeepEqual(variationsOf(SEVEN, 3), variationsOf(SEVEN, 4));
});

test('each variation keeps the strokes and points, moved by a small linear change', () => {
  const variations = variationsOf(SEVEN, 1);
  assert.equal(variations.length, VARIATIONS);
  for (const variation of variations) {
    assert.deepEqual(variation.map((stroke) => stroke.length), SEVEN.map((stroke) => stroke.length));
    assert.notDeepEqual(variation, SEVEN);
    assert.deepEqual(variation[0][0], [0, 0]); // linear: the origin stays
    // The 20-unit downstroke stays within a third of its length of where it was.
    const [x, y] = variation[0][2];
    assert.ok(Math.hypot(x - 4, y - 20) < 7, `${x}, ${y}`);
  }
});
