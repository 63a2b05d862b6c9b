// Saved drawings as Quick, Draw! ndjson (web/samples.js): records, storage, counts, the file.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  countsByLabel, drawingRecord, forgetRecords, ndjsonText, saveRecord, savedRecords, STORAGE_KEY,
} from '../../web/samples.js';

// localStorage's interface, in memory.
function memoryStorage() {
  const items = new Map();
  return {
    getItem: (key) => (items.has(key) ? items.get(key) : null),
    setItem: (key, value) => items.set(key, String(value)),
    removeItem: (key) => items.delete(key),
  };
}

const SEVEN = [[[10.4, 20.6], [90, 20.2], [40.5, 120.49]], [[30, 70], [70, 70]]];
const TIME = new Date(Date.UTC(2026, 10, 24, 4, 30, 7, 861));

test('a drawing becomes a Quick, Draw! record in whole pad pixels, y down', () => {
  const record = drawingRecord({ word: '7', strokes: SEVEN, recognized: false, time: TIME, keyId: '42' });
  assert.deepEqual(record, {
    word: '7',
    countrycode: 'ZZ',
    timestamp: '2026-11-24 04:30:07.861 UTC',
    recognized: false,
    key_id: '42',
    drawing: [[[10, 90, 41], [21, 20, 120]], [[30, 70], [70, 70]]],
  });
});

test('each record gets its own numeric key', () => {
  const keys = new Set(Array.from({ length: 20 },
    () => drawingRecord({ word: '1', strokes: SEVEN, recognized: true }).key_id));
  assert.equal(keys.size, 20);
  for (const key of keys) assert.match(key, /^[0-9]+$/);
});

test('records are kept, counted by label in the model\'s order, and forgotten', () => {
  const storage = memoryStorage();
  assert.deepEqual(savedRecords(storage), []);
  for (const word of ['7', '3', '7']) {
    saveRecord(storage, drawingRecord({ word, strokes: SEVEN, recognized: true }));
  }
  const records = savedRecords(storage);
  assert.deepEqual(records.map(({ word }) => word), ['7', '3', '7']);
  assert.deepEqual(countsByLabel(records, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']),
    [['3', 1], ['7', 2]]);
  forgetRecords(storage);
  assert.deepEqual(savedRecords(storage), []);
});

test('something else stored under the key reads as no drawings', () => {
  const storage = memoryStorage();
  storage.setItem(STORAGE_KEY, '{not json');
  assert.deepEqual(savedRecords(storage), []);
  storage.setItem(STORAGE_KEY, '{"word": "7"}');
  assert.deepEqual(savedRecords(storage), []);
});

test('the file is one JSON object a line', () => {
  const records = ['3', 'あ'].map((word) => drawingRecord({ word, strokes: SEVEN, recognized: true }));
  const text = ndjsonText(records);
  assert.ok(text.endsWith('}\n'));
  assert.deepEqual(text.trimEnd().split('\n').map((line) => JSON.parse(line)), records);
  assert.equal(ndjsonText([]), '');
});

test('stored items that are not drawings are set aside, the drawings kept', async () => {
  const { SET_ASIDE_KEY, setAsideDamaged } = await import('../../web/samples.js');
  const good = drawingRecord({ word: '7', strokes: SEVEN, recognized: true, time: TIME, keyId: '1' });
  const bad = [null, 7, 'x', [], {}, { word: '7' }, { word: '', drawing: good.drawing },
    { word: '7', drawing: [] }, { word: '7', drawing: [[[1, 2], [3]]] },
    { word: '7', drawing: [[[1, null], [3, 4]]] }, { word: '7', drawing: [[[1e300], [3]]] },
    { word: '7', drawing: [[[], []]] }, { word: '7', drawing: [[[1], [2], [3], [4]]] }];
  const storage = memoryStorage();
  storage.setItem(STORAGE_KEY, JSON.stringify([good, ...bad]));
  assert.deepEqual(savedRecords(storage), [good]);
  assert.equal(setAsideDamaged(storage), bad.length);
  assert.deepEqual(JSON.parse(storage.getItem(STORAGE_KEY)), [good]);
  assert.deepEqual(JSON.parse(storage.getItem(SET_ASIDE_KEY)), bad);
  assert.equal(setAsideDamaged(storage), 0);
});

test('what was set aside before is kept, even when it is not JSON', async () => {
  const { SET_ASIDE_KEY, setAsideDamaged } = await import('../../web/samples.js');
  const storage = memoryStorage();
  storage.setItem(SET_ASIDE_KEY, '{oops');
  storage.setItem(STORAGE_KEY, '[null]');
  assert.equal(setAsideDamaged(storage), 1);
  assert.deepEqual(JSON.parse(storage.getItem(SET_ASIDE_KEY)), ['{oops', null]);
  storage.setItem(STORAGE_KEY, '[7]');
  assert.equal(setAsideDamaged(storage), 1);
  assert.deepEqual(JSON.parse(storage.getItem(SET_ASIDE_KEY)), ['{oops', null, 7]);
});

test('storage that is not a JSON array is set aside whole', async () => {
  const { SET_ASIDE_KEY, setAsideDamaged } = await import('../../web/samples.js');
  for (const raw of ['{oops', '{"0": 1}', 'null']) {
    const storage = memoryStorage();
    storage.setItem(STORAGE_KEY, raw);
    assert.deepEqual(savedRecords(storage), []);
    assert.equal(setAsideDamaged(storage), 1);
    assert.deepEqual(JSON.parse(storage.getItem(SET_ASIDE_KEY)), [raw]);
    assert.deepEqual(JSON.parse(storage.getItem(STORAGE_KEY)), []);
  }
});

// samples.js keeps its own copy of the schema's longest label (it cannot fetch the schema where it
// checks a stored record): this holds the two to one number.
test('a saved label may be as long as metadata.schema.json allows, and no longer', async () => {
  const { readFile } = await import('node:fs/promises');
  const { isDrawingRecord } = await import('../../web/samples.js');
  const schema = JSON.parse(await readFile(new URL('../../web/metadata.schema.json', import.meta.url)));
  const longest = schema.$defs.labels.items.maxLength;
  const record = (word) => drawingRecord({ word, strokes: SEVEN, recognized: true, time: TIME });
  assert.ok(isDrawingRecord(record('x'.repeat(longest))));
  assert.ok(!isDrawingRecord(record('x'.repeat(longest + 1))));
});
