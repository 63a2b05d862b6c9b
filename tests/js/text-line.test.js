// The text line (web/text-line.js): kept across visits, a line for each model, a damaged value
// set aside alone.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { readText, setAsideKey, textKey, withoutLast, writeText } from '../../web/text-line.js';

const JAPANESE = 'https://example.org/drawrecog/models/japanese/';
const DIGITS = 'https://example.org/drawrecog/model/';

// localStorage's interface over a Map.
function memoryStorage(entries = {}) {
  const items = new Map(Object.entries(entries));
  return {
    getItem: (key) => (items.has(key) ? items.get(key) : null),
    setItem: (key, value) => items.set(key, String(value)),
    removeItem: (key) => items.delete(key),
    items,
  };
}

test('what is written is read back; nothing stored is an empty line', () => {
  const storage = memoryStorage();
  assert.deepEqual(readText(storage, JAPANESE), { text: '', setAside: false });
  writeText(storage, JAPANESE, '日本語');
  assert.deepEqual(readText(storage, JAPANESE), { text: '日本語', setAside: false });
});

test('each model has its own line: another model starts empty and keeps its own', () => {
  const storage = memoryStorage();
  writeText(storage, JAPANESE, '日本語');
  assert.deepEqual(readText(storage, DIGITS), { text: '', setAside: false });
  writeText(storage, DIGITS, '42');
  assert.equal(readText(storage, JAPANESE).text, '日本語');
  assert.equal(readText(storage, DIGITS).text, '42');
  assert.equal(readText(storage, 'https://example.org/other-site/models/japanese/').text, '');
  assert.notEqual(textKey(JAPANESE), textKey(DIGITS));
});

test('a damaged value is set aside as it was, that model\'s line alone, and it starts empty', () => {
  for (const raw of ['{"format": 1, "te', '"日本"', '{"format": 2, "text": "x"}', '{"format": 1, "text": 5}']) {
    const storage = memoryStorage({ [textKey(JAPANESE)]: raw, other: 'kept' });
    writeText(storage, DIGITS, '42');
    assert.deepEqual(readText(storage, JAPANESE), { text: '', setAside: true });
    assert.equal(storage.getItem(setAsideKey(JAPANESE)), raw);
    assert.equal(storage.getItem(textKey(JAPANESE)), null);
    assert.equal(storage.getItem('other'), 'kept');
    assert.deepEqual(readText(storage, DIGITS), { text: '42', setAside: false });
    assert.equal(storage.getItem(setAsideKey(DIGITS)), null);
  }
});

test('backspace takes the last character, a character beyond 16 bits whole', () => {
  assert.equal(withoutLast('日本'), '日');
  assert.equal(withoutLast('𠮟る𠮟'), '𠮟る');
  assert.equal(withoutLast(''), '');
});
