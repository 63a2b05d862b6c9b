// What a person taught a recognizer, kept in this browser's IndexedDB so that it survives reloads
// and offline visits: their drawings (strokes and label, to fit the head again when the model
// changes) and the personal head fitted to them (web/personal-head.js), with the model_hash of
// the model it was fitted on. One entry per model folder (its URL). Read back through checkPersonal(): a damaged entry
// is reported, never used.

const DATABASE = 'drawrecog-personal';
const STORE = 'taught';

/**
 * @typedef {{ label: string, strokes: [number, number][][] }} Example
 *   One taught drawing: strokes of [x, y] points, as predict() takes them.
 * @typedef {{ modelHash: string, labels: string[], rows: Float32Array, bias: Float32Array,
 *   drawn: Float32Array, drawnLabels: Int32Array, drawnAlike: Float32Array,
 *   sureUpTo: Float32Array }} Head
 *   A personal head: one row of weights a label (the model's labels, then the person's own), and
 *   the pooled features of the drawings taught, each with its label's index and the likeness from
 *   which it counts, and each label's surest model answer it may override
 *   (web/personal-head.js).
 * @typedef {{ examples: Example[], head: Head | null }} Personal
 */

/** @returns {Promise<IDBDatabase>} */
function open() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DATABASE, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/**
 * @param {'readonly' | 'readwrite'} mode
 * @param {(store: IDBObjectStore) => IDBRequest} action
 * @returns {Promise<any>}
 */
async function transact(mode, action) {
  const database = await open();
  try {
    return await new Promise((resolve, reject) => {
      const request = action(database.transaction(STORE, mode).objectStore(STORE));
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  } finally {
    database.close();
  }
}

/** @param {string} key @returns {Promise<unknown>} the stored entry, undefined when none */
export const readPersonal = (key) => transact('readonly', (store) => store.get(key));

/** @param {string} key @param {Personal} personal */
export const writePersonal = (key, personal) => transact('readwrite', (store) => store.put(personal, key));

/** @param {string} key */
export const deletePersonal = (key) => transact('readwrite', (store) => store.delete(key));

/**
 * A stored entry as a Personal, or the reason it cannot be one (a string). A head fitted to
 * another model (another model_hash), or kept without the drawings' features (by an older page),
 * is left out: the drawings are fitted again.
 * @param {unknown} entry
 * @param {{ modelHash: string, featureSize: number, pooledSize: number }} model the model in
 *   use (metadata.json's model_hash, feature_size and pooled_size)
 * @returns {Personal | string}
 */
export function checkPersonal(entry, { modelHash, featureSize, pooledSize }) {
  if (typeof entry !== 'object' || entry === null) return 'not an object';
  const { examples, head } = /** @type {{ examples?: unknown, head?: unknown }} */ (entry);
  if (!Array.isArray(examples)) return 'no list of drawings';
  const badExample = examples.findIndex((example) => !isExample(example));
  if (badExample >= 0) return `drawing ${badExample + 1} is not a label with strokes of points`;
  if (head === null || head === undefined) return { examples, head: null };
  const { modelHash: fittedTo, drawn, drawnLabels, drawnAlike } = /** @type {any} */ (head);
  // Fitted to another model, or by a page that kept no drawings' features or likenesses: fitted again
  if ((fittedTo !== modelHash && typeof fittedTo === 'string')
    || (drawn === undefined && drawnLabels === undefined) || drawnAlike === undefined) {
    return { examples, head: null };
  }
  const problem = headProblem(head, featureSize) ?? drawnProblem(head, pooledSize);
  return problem ?? { examples, head: /** @type {Head} */ (head) };
}

/** @param {any} example */
function isExample(example) {
  return typeof example?.label === 'string' && example.label !== ''
    && Array.isArray(example.strokes) && example.strokes.every((stroke) => Array.isArray(stroke)
      && stroke.every((point) => Array.isArray(point) && point.length === 2
        && point.every(Number.isFinite)));
}

/** @param {any} head @param {number} featureSize @returns {string | null} */
function headProblem(head, featureSize) {
  const { modelHash, labels, rows, bias } = head ?? {};
  if (typeof modelHash !== 'string') return 'the head names no model';
  if (!Array.isArray(labels) || !labels.every((label) => typeof label === 'string')) {
    return 'the head has no list of labels';
  }
  if (!(rows instanceof Float32Array) || !(bias instanceof Float32Array)) return 'the head has no weights';
  if (bias.length !== labels.length || rows.length !== labels.length * featureSize) {
    return `the head's weights do not fit ${labels.length} labels of ${featureSize} features`;
  }
  if (!rows.every(Number.isFinite) || !bias.every(Number.isFinite)) return 'the head holds a weight that is not a number';
  return null;
}

/** @param {any} head @param {number} pooledSize @returns {string | null} */
function drawnProblem({ labels, drawn, drawnLabels, drawnAlike, sureUpTo }, pooledSize) {
  if (!(drawn instanceof Float32Array) || !(drawnLabels instanceof Int32Array)) {
    return 'the head keeps no features of the drawings';
  }
  if (!(drawnAlike instanceof Float32Array) || drawnAlike.length !== drawnLabels.length
    || !drawnAlike.every(Number.isFinite)) return "the head's drawings have no likeness to count from";
  if (!(sureUpTo instanceof Float32Array) || sureUpTo.length !== labels.length
    || sureUpTo.some(Number.isNaN)) return "the head's labels have no sureness to stop at";
  if (drawn.length !== drawnLabels.length * pooledSize) {
    return `the head's drawings do not fit ${drawnLabels.length} drawings of ${pooledSize} features`;
  }
  if (!drawnLabels.every((label) => label >= 0 && label < labels.length)) {
    return "the head's drawings name a label it does not have";
  }
  if (!drawn.every(Number.isFinite)) return "the head's drawings hold a value that is not a number";
  return null;
}
