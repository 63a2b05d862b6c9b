// The text line (web/text-line.js): kept across visits, a damaged value set aside alone.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { readText, TEXT_KEY, TEXT_SET_ASIDE_KEY, withoutLast, writeText } from '../../web/text-line.js';

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
  assert.deepEqual(readText(storage), { text: '', setAside: false });
  writeText(storage, '日本語');
  assert.deepEqual(readText(storage), { text: '日本語', setAside: false });
});

test('a damaged value is set aside as it was, and the line starts empty', () => {
  for (const raw of ['{"format": 1, "te', '"日本"', '{"format": 2, "text": "x"}', '{"format": 1, "text": 5}']) {
    const storage = memoryStorage({ [TEXT_KEY]: raw, other: 'kept' });
    assert.deepEqual(readText(storage), { text: '', setAside: true });
    assert.equal(storage.getItem(TEXT_SET_ASIDE_KEY), raw);
    assert.equal(storage.getItem(TEXT_KEY), null);
    assert.equal(storage.getItem('other'), 'kept');
  }
});

test('backspace takes the last character, a character beyond 16 bits whole', () => {
  assert.equal(withoutLast('日本'), '日');
  assert.equal(withoutLast('𠮟る𠮟'), '𠮟る');
  assert.equal(withoutLast(''), '');
});
