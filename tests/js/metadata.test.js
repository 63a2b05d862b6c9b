// What the page refuses in a model's metadata.json (web/metadata.js), each with its message; the
// table of bad-metadata.json is refused by the export alike (tests/test_schema.py).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { checkMetadata, notSureThreshold } from '../../web/metadata.js';

const read = (path) => JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8'));
const SCHEMA = read('../../web/metadata.schema.json');
const { good: DRAWING, bad: BAD } = read('./bad-metadata.json');

test('a drawing model of a known format passes', () => {
  assert.doesNotThrow(() => checkMetadata(DRAWING, SCHEMA));
});

test('a format version the page does not read is refused, naming the file', () => {
  assert.throws(() => checkMetadata({ ...DRAWING, format_version: 2 }, SCHEMA), {
    message: 'model/metadata.json: format_version 2 is unknown to this page (it reads 1)',
  });
  assert.throws(() => checkMetadata({ ...DRAWING, format_version: '1' }, SCHEMA, 'kanji/metadata.json'), {
    message: 'kanji/metadata.json: format_version "1" is unknown to this page (it reads 1)',
  });
});

test('metadata without a format version is refused', () => {
  const { format_version: _, ...older } = DRAWING;
  assert.throws(() => checkMetadata(older, SCHEMA), {
    message: 'model/metadata.json: no format_version (exported before metadata had one): '
      + 'export the model again',
  });
});

test('metadata that is not an object is refused, naming the file', () => {
  for (const value of [null, [], 'text']) {
    assert.throws(() => checkMetadata(value, SCHEMA), /^Error: model\/metadata\.json: /);
  }
});

test('a damaged run exported with preprocessing [] is refused by name', () => {
  assert.throws(() => checkMetadata({ ...DRAWING, preprocessing: [] }, SCHEMA), {
    message: 'model/metadata.json: preprocessing: [] is not of type object',
  });
  assert.throws(() => checkMetadata({ ...DRAWING, backends: [] }, SCHEMA), {
    message: 'model/metadata.json: backends: 0 items, fewer than 1',
  });
});

for (const { change, remove, names } of BAD) {
  test(`refused, naming ${names}: ${JSON.stringify(change ?? { remove })}`, () => {
    const metadata = { ...DRAWING, ...change };
    if (remove) delete metadata[remove];
    assert.throws(() => checkMetadata(metadata, SCHEMA), (error) => {
      assert.ok(error.message.startsWith(`model/metadata.json: ${names}`), error.message);
      return true;
    });
  });
}

test("the not-sure threshold is the model's, or one half where the export has none", () => {
  assert.equal(notSureThreshold({ ...DRAWING, not_sure_threshold: 0.649 }), 0.649);
  assert.equal(notSureThreshold({ ...DRAWING, not_sure_threshold: null }), 0.5); // none chosen
  const { not_sure_threshold: _, ...without } = DRAWING;
  assert.equal(notSureThreshold(without), 0.5);
});
