// The page's stroke recipe (web/strokes.js), its pure parts; the browser tests hold the rendering
// to trainer/strokes.py's within one grey level.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { blockAverage, centreByMass, placement } from '../../web/strokes.js';

const RECIPE = { size: 28, box: 20, pen: 0.12, oversample: 4 };

test('the ink, pen included, spans the box whatever size it was drawn at', () => {
  for (const scale of [0.3, 1, 250]) {
    const strokes = [[[0, 0], [10 * scale, 40 * scale]], [[5 * scale, 5 * scale]]];
    const { centre, perUnit, pen } = placement(strokes, RECIPE);
    assert.deepEqual(centre, [5 * scale, 20 * scale]);
    assert.ok(Math.abs(40 * scale * perUnit + pen - RECIPE.box * RECIPE.oversample) < 1e-9);
    assert.ok(Math.abs(pen - 0.12 * 20 * 4) < 1e-12); // the pen never depends on the drawing's size
  }
});

test('a single point is a dot of the pen width, not a division by zero', () => {
  const { perUnit, pen } = placement([[[3, 4]]], RECIPE);
  assert.equal(perUnit, 0);
  assert.ok(pen > 0);
});

test('block averages keep the total ink', () => {
  const side = 8;
  const pixels = Uint8Array.from({ length: side * side }, (_, i) => (i * 37) % 256);
  const field = blockAverage(pixels, 2, 4);
  assert.equal(field.length, 4);
  const sum = (values) => values.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sum(field) * 16 - sum(pixels)) < 1e-9);
  assert.equal(field[0], sum([0, 1, 2, 3].flatMap((r) => [0, 1, 2, 3].map((c) => pixels[r * side + c]))) / 16);
});

test('ink off centre is moved by whole pixels until its mass is central', () => {
  const field = new Float64Array(28 * 28);
  field[12 * 28 + 11] = 255; // one pixel, 2 up and 3 left of the centre pixel (14, 14)
  const moved = centreByMass(field, RECIPE);
  assert.equal(moved[14 * 28 + 14], 255);
  assert.equal(moved.reduce((a, b) => a + b, 0), 255);
});

test('the move never pushes the box out of the field', () => {
  const field = new Float64Array(28 * 28);
  field[0] = 255; // far in the corner: a move of 14 would be needed, the slack is 4
  const moved = centreByMass(field, RECIPE);
  assert.equal(moved[4 * 28 + 4], 255);
});
