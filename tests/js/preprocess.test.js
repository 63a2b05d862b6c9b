// The page's drawing recipe (web/preprocess.js), unit by unit, as tests/test_preprocess.py holds
// the Python one; the browser tests hold the two together on real drawings.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { areaWeights, canvasToInput } from '../../web/preprocess.js';

const RECIPE = { size: 28, box: 20, ink_threshold: 10, invert: true };

// A white pad with black rectangles [top, left, bottom, right).
function padWith(rectangles, side = 280) {
  const gray = new Uint8ClampedArray(side * side).fill(255);
  for (const [top, left, bottom, right] of rectangles) {
    for (let r = top; r < bottom; r++) gray.fill(0, r * side + left, r * side + right);
  }
  return gray;
}

function inkRowsAndCols(field, size) {
  const rows = new Set(), cols = new Set();
  field.forEach((value, i) => { if (value > 0) { rows.add(Math.floor(i / size)); cols.add(i % size); } });
  return [rows.size, cols.size];
}

test('a blank pad gives nothing', () => {
  assert.equal(canvasToInput(padWith([]), 280, 280, RECIPE), null);
});

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

test('the longer side is scaled to the box and the ink centred by mass', () => {
  const field = canvasToInput(padWith([[10, 200, 210, 240]]), 280, 280, RECIPE);
  assert.deepEqual(inkRowsAndCols(field, 28), [20, 4]);
  assert.ok(Math.abs(Math.max(...field) - 255) < 1e-3);
  let total = 0, rowMoment = 0, colMoment = 0;
  field.forEach((value, i) => {
    total += value; rowMoment += value * (Math.floor(i / 28) + 0.5); colMoment += value * (i % 28 + 0.5);
  });
  assert.ok(Math.abs(rowMoment / total - 14) <= 0.5 && Math.abs(colMoment / total - 14) <= 0.5);
});

test('faint marks below the ink threshold are ignored', () => {
  const clean = canvasToInput(padWith([[100, 100, 180, 120]]), 280, 280, RECIPE);
  const dusty = padWith([[100, 100, 180, 120]]);
  dusty[5 * 280 + 5] = 255 - RECIPE.ink_threshold;
  assert.deepEqual(canvasToInput(dusty, 280, 280, RECIPE), clean);
});

test('a 64 px recipe places a 52 px character', () => {
  const recipe = { ...RECIPE, size: 64, box: 52 };
  const field = canvasToInput(padWith([[40, 40, 240, 240]]), 280, 280, recipe);
  assert.equal(field.length, 64 * 64);
  assert.deepEqual(inkRowsAndCols(field, 64), [52, 52]);
});
