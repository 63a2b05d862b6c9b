// What the page checks in a model's metadata.json before it uses the model: a format it reads,
// and every field it uses, as web/metadata.schema.json declares them (the export checks the same
// file before it writes an export): labels, input, a preprocessing recipe it implements for the
// model's kind of input, backends.
import { schemaProblem } from './schema.js';

// The metadata.json formats this page reads (the export writes export/__init__.py's FORMAT_VERSION).
const FORMAT_VERSIONS = [1];

// "Not sure" below this top probability, for a model whose metadata has no threshold of its own.
const NOT_SURE = 0.5;

// The top probability below which the page says "not sure" of this model's answer (and below
// which the personal head does not take a contradicting drawing for a mistaken tap).
export function notSureThreshold(metadata) {
  return metadata.not_sure_threshold ?? NOT_SURE;
}

// Throws an Error naming `file`, the field and the problem when this page cannot use the model.
// `schema`: web/metadata.schema.json's content.
export function checkMetadata(metadata, schema, file = 'model/metadata.json') {
  checkFormat(metadata, file);
  const problem = schemaProblem(metadata, schema) ?? sizeProblem(metadata);
  if (problem) throw new Error(`${file}: ${problem}`);
}

// The one rule JSON Schema cannot state, checked by the export too (runfolder/schema.py): the
// recipe makes inputs of the model's size.
function sizeProblem({ input_size: size, preprocessing: { size: made } }) {
  return size === made ? null : `preprocessing.size: ${made}, but input_size is ${size}`;
}

function checkFormat(metadata, file) {
  const version = metadata?.format_version;
  if (version === undefined) {
    throw new Error(`${file}: no format_version (exported before metadata had one): `
      + 'export the model again');
  }
  if (!FORMAT_VERSIONS.includes(version)) {
    throw new Error(`${file}: format_version ${JSON.stringify(version)} is unknown to this page `
      + `(it reads ${FORMAT_VERSIONS.join(', ')})`);
  }
}
