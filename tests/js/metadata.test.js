// What the page refuses in a model's metadata.json (web/metadata.js), each with its message.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { checkMetadata } from '../../web/metadata.js';

const DRAWING = {
  format_version: 1, input: 'drawing', preprocessing: { kind: 'strokes-box-com', size: 28 },
};

test('a drawing model of a known format passes', () => {
  assert.doesNotThrow(() => checkMetadata(DRAWING));
});

test('a format version the page does not read is refused, naming the file', () => {
  assert.throws(() => checkMetadata({ ...DRAWING, format_version: 2 }), {
    message: 'model/metadata.json: format_version 2 is unknown to this page (it reads 1)',
  });
  assert.throws(() => checkMetadata({ ...DRAWING, format_version: '1' }, 'kanji/metadata.json'), {
    message: 'kanji/metadata.json: format_version "1" is unknown to this page (it reads 1)',
  });
});

test('metadata without a format version is refused', () => {
  const { format_version: _, ...older } = DRAWING;
  assert.throws(() => checkMetadata(older), {
    message: 'model/metadata.json: no format_version (exported before metadata had one): '
      + 'export the model again',
  });
});

test('an unknown recipe, or a recipe for another input, is refused', () => {
  assert.throws(() => checkMetadata({ ...DRAWING, preprocessing: { kind: 'other' } }), {
    message: 'model/metadata.json: preprocessing "other" is unknown to this page '
      + '(it knows strokes-box-com, photo-centre-crop)',
  });
  assert.throws(() => checkMetadata({ ...DRAWING, input: 'photo' }), {
    message: 'model/metadata.json: preprocessing "strokes-box-com" is for a drawing, '
      + 'but the input is "photo"',
  });
});
