// What the page checks in a model's metadata.json before it uses the model: a format it reads,
// and a preprocessing recipe it implements for the model's kind of input.

// The metadata.json formats this page reads (the export writes export/__init__.py's FORMAT_VERSION).
const FORMAT_VERSIONS = [1];
// The recipes this page implements (trainer/preprocess.py), and the input each one reads.
const RECIPES = { 'strokes-box-com': 'drawing', 'photo-centre-crop': 'photo' };

// Throws an Error naming `file` and the problem when this page cannot use the model.
export function checkMetadata(metadata, file = 'model/metadata.json') {
  checkFormat(metadata, file);
  checkRecipe(metadata, file);
}

function checkFormat({ format_version: version }, file) {
  if (version === undefined) {
    throw new Error(`${file}: no format_version (exported before metadata had one): `
      + 'export the model again');
  }
  if (!FORMAT_VERSIONS.includes(version)) {
    throw new Error(`${file}: format_version ${JSON.stringify(version)} is unknown to this page `
      + `(it reads ${FORMAT_VERSIONS.join(', ')})`);
  }
}

// A model prepared in a way this page does not know would get wrong inputs: refuse it.
function checkRecipe({ preprocessing, input }, file) {
  const kind = preprocessing?.kind;
  if (!Object.hasOwn(RECIPES, kind)) {
    const known = Object.keys(RECIPES).join(', ');
    throw new Error(`${file}: preprocessing "${kind}" is unknown to this page `
      + `(it knows ${known})`);
  }
  if (RECIPES[kind] !== input) {
    throw new Error(`${file}: preprocessing "${kind}" is for a ${RECIPES[kind]}, `
      + `but the input is "${input}"`);
  }
}
