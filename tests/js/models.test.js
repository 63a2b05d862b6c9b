// The site's catalog as the page and the service worker read it, the model folders the service
// worker keeps apart (web/model-folders.js), and the about line with a model's credit (web/models.js).
import assert from 'node:assert/strict';
import { test } from 'node:test';

globalThis.location = new URL('https://school.example/classes/2b/digits/index.html?model=kana');
const { aboutModel } = await import('../../web/models.js');
const { checkCatalog, modelFolderOf } = await import('../../web/model-folders.js');

test('a catalog lists each model by its name and folder', () => {
  const models = [{ name: 'digits', folder: 'model/' }, { name: 'kana', folder: 'models/kana/' }];
  assert.deepEqual(checkCatalog(JSON.stringify({ models })), models);
});

test('a damaged catalog is one error naming it', () => {
  const refused = {
    '{': 'models.json: not JSON',
    '[]': 'models.json: no list of models',
    '{"models": [{"folder": "model/"}]}': 'models.json: models[0] has no name',
    '{"models": [{"name": "x", "folder": "../elsewhere/"}]}':
      'models.json: models[0].folder "../elsewhere/" is not model/ or models/NAME/',
    '{"models": [{"name": "x", "folder": "models/x"}]}':
      'models.json: models[0].folder "models/x" is not model/ or models/NAME/',
  };
  for (const [text, message] of Object.entries(refused)) assert.throws(() => checkCatalog(text), { message });
});

test("a file's model folder is found beside the page, and only there", () => {
  const at = (path) => new URL(path, location.href).href;
  assert.equal(modelFolderOf(at('model/group1-shard1of1.bin')), 'model/');
  assert.equal(modelFolderOf(at('models/kana/metadata.json')), 'models/kana/');
  assert.equal(modelFolderOf(at('models.json')), null);
  assert.equal(modelFolderOf(at('vendor/tf.js')), null);
  assert.equal(modelFolderOf(at('../model/model.json')), null);
});

test('the about line names the credit of a model that has one', () => {
  const labels = Array.from({ length: 2136 }, (_, i) => String(i));
  const credit = { trained_on: ['KanjiVG', 'tomoe_data'], licence: 'CC BY-SA 3.0' };
  assert.equal(aboutModel({ name: 'kanji', labels, credit }),
    'kanji · 2,136 labels · trained on KanjiVG; tomoe_data · shared under CC BY-SA 3.0');
  assert.equal(aboutModel({ name: 'digits', labels: labels.slice(0, 10), credit: { trained_on: [], licence: null } }),
    'digits · 10 labels');
  assert.equal(aboutModel({ name: 'old', labels: ['a'] }), 'old · 1 labels');
});
