// The page's photo recipe's area weights (web/photo.js), as tests/test_preprocess.py holds
// the Python ones; the browser tests hold the two together on real photos.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { areaWeights } from '../../web/photo.js';

test('area weights average: each row sums to 1, each column to target/source', () => {
  for (const [target, source] of [[20, 280], [20, 37], [7, 3], [20, 20]]) {
    const weights = areaWeights(target, source);
    for (let i = 0; i < target; i++) {
      const row = weights.slice(i * source, (i + 1) * source).reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(row - 1) < 1e-9, `row ${i} of ${target}x${source} sums to ${row}`);
    }
    for (let j = 0; j < source; j++) {
      let column = 0;
      for (let i = 0; i < target; i++) column += weights[i * source + j];
      assert.ok(Math.abs(column - target / source) < 1e-9);
    }
  }
});
