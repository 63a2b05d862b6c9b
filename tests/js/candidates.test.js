// The handwriting keyboard's candidates (web/candidates.js): ten, best first, a candidate group's
// members together.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { CANDIDATES, candidateRow } from '../../web/candidates.js';

const ranked = (labels) => labels.map((label, i) => ({ label, prob: 1 / (i + 2) }));
const LABELS = [...'あいうえおかきくけこさしすせそつロ'];
const GROUPS = [['つ', 'っ'], ['ロ', '口'], ['あ', 'ぁ']];

test('ten candidates best first, each writing its label', () => {
  const row = candidateRow(ranked(LABELS), []);
  assert.equal(CANDIDATES, 10);
  assert.deepEqual(row.map(({ text }) => text), LABELS.slice(0, 10));
  assert.deepEqual(row.map(({ label }) => label), LABELS.slice(0, 10));
  assert.equal(row[1].prob, 1 / 3);
});

test('fewer labels than ten: all of them', () => {
  assert.deepEqual(candidateRow(ranked(['1', '0']), []).map(({ text }) => text), ['1', '0']);
  assert.deepEqual(candidateRow([], GROUPS), []);
});

test('a group\'s members follow its label, standing for it; a group is never cut', () => {
  const order = ['か', 'つ', 'き', 'ロ', 'く', 'け', 'こ', 'あ', 'さ', 'し'];
  const row = candidateRow(ranked(order), GROUPS);
  assert.deepEqual(row.map(({ text }) => text),
    ['か', 'つ', 'っ', 'き', 'ロ', '口', 'く', 'け', 'こ', 'あ', 'ぁ']); // 11: あ is tenth
  assert.deepEqual(row.filter(({ text }) => text === 'っ' || text === '口').map(({ label }) => label),
    ['つ', 'ロ']);
});
