// What was drawn (web/characters.js): characters side by side, dots and scribbles.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  MIN_EXTENT, charactersOf, extent, refusal, splitCharacters,
} from '../../web/characters.js';

const ONE = [[10, 0], [10, 40]];
const SEVEN = [[30, 0], [50, 0], [35, 40]];

test('strokes separated by an empty band are characters, left to right', () => {
  const cross = [[25, 20], [45, 20]]; // the seven's bar: overlaps it, so it joins it
  assert.deepEqual(splitCharacters([SEVEN, ONE, cross]), [[ONE], [cross, SEVEN]]);
});

test('a margin joins strokes closer than it', () => {
  assert.equal(splitCharacters([ONE, SEVEN], 0).length, 2);
  assert.equal(splitCharacters([ONE, SEVEN], 10).length, 1); // 20 apart, each widened by 10
});

test('a one-character model reads every stroke as one character, whatever its gaps', () => {
  // 川 thrice over and 八: twenty strokes, each apart from the next by an empty band.
  const gaps = Array.from({ length: 20 }, (_, i) => [[i * 10, 0], [i * 10 + 2, 40]]);
  assert.equal(charactersOf(gaps).length, 20);
  assert.deepEqual(charactersOf(gaps, { oneCharacter: true }), [gaps]);
  assert.deepEqual(charactersOf([[], ONE, []], { oneCharacter: true }), [[ONE]]);
  assert.deepEqual(charactersOf([[]], { oneCharacter: true }), []);
});

test('the extent is the longer side of the bounding box', () => {
  assert.equal(extent([ONE, SEVEN]), 40);
  assert.equal(extent([]), 0);
});

const INPUT = new Float32Array(28 * 28).fill(0);
INPUT.fill(255, 0, 100); // mean ink 100 / 784 = 0.128

test('a character passes, a dot does not', () => {
  assert.equal(refusal([ONE], INPUT, {}, 100), null);
  const dot = [[[50, 50], [51, 52]]];
  assert.equal(refusal(dot, INPUT, {}, 100).reason, 'dot');
  assert.equal(refusal(dot, INPUT, {}), null, 'no drawing area, no dot check');
  assert.equal(refusal([[[0, 0], [MIN_EXTENT * 100, 0]]], INPUT, {}, 100), null);
});

test('more strokes than the model\'s limit, or more ink, is a scribble', () => {
  const strokes = Array.from({ length: 13 }, () => ONE);
  assert.equal(refusal(strokes, INPUT, { maxStrokes: 12 }).reason, 'too-many-strokes');
  assert.match(refusal(strokes, INPUT, { maxStrokes: 12 }).message, /^13 strokes are too many/);
  assert.equal(refusal(strokes.slice(1), INPUT, { maxStrokes: 12 }), null);
  assert.equal(refusal([ONE], INPUT, { inkLimit: 0.12 }).reason, 'too-much-ink');
  assert.equal(refusal([ONE], INPUT, { inkLimit: 0.13 }), null);
  assert.equal(refusal([ONE], INPUT, { inkLimit: null }), null, 'older exports have no limit');
});

test('nothing drawn is refused as empty', () => {
  assert.equal(refusal([], null).reason, 'empty');
  assert.equal(refusal([[]], null).reason, 'empty');
});
