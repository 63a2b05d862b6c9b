// What a person taught a recognizer, kept in this browser's IndexedDB so that it survives reloads
// and offline visits, per model folder (its URL, `model`):
//   drawings   one record a taught drawing, { id, model, label, strokes }: the id, given by the
//              store, orders them and seeds their variations, so a refit gives the same head;
//   heads      the personal head fitted to a model's drawings (web/personal-head.js), with the
//              model_hash it was fitted on and the ids of the drawings it was fitted to;
//   set-aside  what was found damaged, { model, kind, problem, item }, kept for a person to
//              download, never read again.
// Each change is one transaction on the records it touches, so tabs share the store: what each
// teaches is added, never overwritten. Every record is checked as it is read: a damaged one is
// set aside alone, the rest is used. The previous page's format (one entry per model holding
// every drawing and the head) is read once and split into records when the store is opened.

const DATABASE = 'drawrecog-personal';
const VERSION = 2;
const DRAWINGS = 'drawings';
const HEADS = 'heads';
const SET_ASIDE = 'set-aside';
const BY_MODEL = 'model';
const PREVIOUS_FORMAT = 'taught'; // version 1's one store: { examples, head } per model

/**
 * @typedef {[number, number][][]} Strokes strokes of [x, y] points, as predict() takes them
 * @typedef {{ id: number, label: string, strokes: Strokes }} Drawing one taught drawing
 * @typedef {{ modelHash: string, labels: string[], rows: Float32Array, bias: Float32Array,
 *   drawn: Float32Array, drawnLabels: Int32Array, drawnAlike: Float32Array,
 *   sureUpTo: Float32Array, fittedOn: number[] }} Head
 *   A personal head: one row of weights a label (the model's labels, then the person's own), the
 *   pooled features of the drawings it was fitted on, each with its label's index and the likeness
 *   from which it counts, each label's surest model answer it may override (web/personal-head.js),
 *   and the ids of every drawing taught when it was fitted (a head is used only while they are
 *   the same).
 * @typedef {{ kind: 'drawing' | 'head' | 'entry', problem: string, item: unknown }} Damaged
 * @typedef {{ drawings: Drawing[], head: unknown, damaged: Damaged[] }} Taught
 */

/** @returns {Promise<IDBDatabase>} */
function open() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DATABASE, VERSION);
    request.onupgradeneeded = ({ oldVersion }) => {
      const database = request.result;
      const drawings = database.createObjectStore(DRAWINGS, { keyPath: 'id', autoIncrement: true });
      drawings.createIndex(BY_MODEL, 'model');
      database.createObjectStore(HEADS);
      database.createObjectStore(SET_ASIDE, { autoIncrement: true });
      if (oldVersion === 1) migrate(request.transaction, drawings);
    };
    request.onsuccess = () => {
      const database = request.result;
      database.onversionchange = () => database.close(); // a newer page's upgrade goes ahead
      resolve(database);
    };
    request.onerror = () => reject(request.error);
    request.onblocked = () => reject(new Error('another tab holds an older version of the store open'));
  });
}

// Version 1's entries, each split into its drawings, damaged ones too: they are set aside, and
// named, as the page first reads them (readTaught). The head is fitted again.
function migrate(transaction, drawings) {
  const previous = transaction.objectStore(PREVIOUS_FORMAT);
  previous.openCursor().onsuccess = ({ target }) => {
    const cursor = /** @type {IDBRequest<IDBCursorWithValue>} */ (target).result;
    if (!cursor) {
      transaction.db.deleteObjectStore(PREVIOUS_FORMAT);
      return;
    }
    for (const record of previousRecords(cursor.value)) drawings.add({ model: String(cursor.key), ...record });
    cursor.continue();
  };
}

/**
 * The previous page's entry ({ examples: [{ label, strokes }], head }) as drawing records; an
 * entry without a list of drawings, as one record that holds it (and is no drawing).
 * @param {unknown} entry
 * @returns {{ label?: unknown, strokes?: unknown, entry?: unknown }[]}
 */
export function previousRecords(entry) {
  const examples = /** @type {any} */ (entry)?.examples;
  if (!Array.isArray(examples)) return [{ entry }];
  return examples.map((example) => ({ label: example?.label, strokes: example?.strokes }));
}

/**
 * @template T
 * @param {string[]} stores
 * @param {'readonly' | 'readwrite'} mode
 * @param {(transaction: IDBTransaction) => Promise<T> | T} action
 * @returns {Promise<T>} the action's result, once the transaction has committed
 */
async function transact(stores, mode, action) {
  const database = await open();
  try {
    const transaction = database.transaction(stores, mode);
    const done = new Promise((resolve, reject) => {
      transaction.oncomplete = resolve;
      transaction.onabort = () => reject(transaction.error ?? new Error('the transaction was aborted'));
    });
    const result = await action(transaction);
    await done;
    return result;
  } finally {
    database.close();
  }
}

/** @template T @param {IDBRequest<T>} request @returns {Promise<T>} */
function settled(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/**
 * Everything kept for `model`: its drawings (the damaged ones moved to the set-aside store, in
 * the same transaction) and its head as stored (unchecked: checkHead()).
 * @param {string} model
 * @returns {Promise<Taught>}
 */
export function readTaught(model) {
  return transact([DRAWINGS, HEADS, SET_ASIDE], 'readwrite', async (transaction) => {
    const [records, head] = await Promise.all([
      settled(transaction.objectStore(DRAWINGS).index(BY_MODEL).getAll(model)),
      settled(transaction.objectStore(HEADS).get(model)),
    ]);
    const { drawings, damaged } = sortDrawings(records);
    for (const { item, problem } of damaged) {
      transaction.objectStore(SET_ASIDE).add({ model, kind: 'drawing', problem, item });
      transaction.objectStore(DRAWINGS).delete(/** @type {any} */ (item).id);
    }
    return { drawings, head, damaged };
  });
}

/**
 * The stored records as drawings, by id, and those that are not.
 * @param {unknown[]} records
 * @returns {{ drawings: Drawing[], damaged: Damaged[] }}
 */
export function sortDrawings(records) {
  const drawings = [];
  /** @type {Damaged[]} */
  const damaged = [];
  for (const record of records) {
    const problem = drawingProblem(record);
    if (problem) damaged.push({ kind: 'drawing', problem, item: record });
    else {
      const { id, label, strokes } = /** @type {Drawing} */ (record);
      drawings.push({ id, label, strokes });
    }
  }
  drawings.sort((a, b) => a.id - b.id);
  return { drawings, damaged };
}

// Why a stored record is not a drawing (null: it is one). New drawings are checked more
// strictly before they are stored (recognizer.js teach()); a stored one need only be readable.
/** @param {any} record @returns {string | null} */
function drawingProblem(record) {
  if (typeof record?.label !== 'string' || record.label === '') return 'no label';
  if (!Array.isArray(record.strokes) || !record.strokes.length) return 'no strokes';
  const points = record.strokes.every((stroke) => Array.isArray(stroke) && stroke.length > 0
    && stroke.every((point) => Array.isArray(point) && point.length === 2));
  if (!points) return 'a stroke is not a list of [x, y] points';
  if (!record.strokes.every((stroke) => stroke.every((point) => point.every(Number.isFinite)))) {
    return 'a point is not a number';
  }
  return null;
}

/**
 * Adds a drawing; returns its id.
 * @param {string} model @param {string} label @param {Strokes} strokes
 * @returns {Promise<number>}
 */
export function addDrawing(model, label, strokes) {
  return transact([DRAWINGS], 'readwrite', (transaction) => settled(
    transaction.objectStore(DRAWINGS).add({ model, label, strokes })).then(Number));
}

/**
 * Adds many drawings in one transaction (a benchmark's or a test's thousands); returns their ids.
 * @param {string} model @param {{ label: string, strokes: Strokes }[]} drawings
 * @returns {Promise<number[]>}
 */
export function addDrawings(model, drawings) {
  return transact([DRAWINGS], 'readwrite', (transaction) => Promise.all(drawings.map(
    ({ label, strokes }) => settled(transaction.objectStore(DRAWINGS).add({ model, label, strokes })).then(Number))));
}

/** @param {number[]} ids @returns {Promise<void>} */
export function removeDrawings(ids) {
  return transact([DRAWINGS], 'readwrite', (transaction) => {
    for (const id of ids) transaction.objectStore(DRAWINGS).delete(id);
  });
}

/** @param {string} model @param {Head | null} head null: none kept */
export function writeHead(model, head) {
  return transact([HEADS], 'readwrite', (transaction) => {
    if (head) transaction.objectStore(HEADS).put(head, model);
    else transaction.objectStore(HEADS).delete(model);
  });
}

/**
 * Forgets every drawing of `model` and its head (the set-aside items stay).
 * @param {string} model
 */
export function forgetTaught(model) {
  return transact([DRAWINGS, HEADS], 'readwrite', async (transaction) => {
    const ids = await settled(transaction.objectStore(DRAWINGS).index(BY_MODEL).getAllKeys(model));
    for (const id of ids) transaction.objectStore(DRAWINGS).delete(id);
    transaction.objectStore(HEADS).delete(model);
  });
}

/**
 * Keeps a damaged item aside (a head that cannot be used, say).
 * @param {string} model @param {Damaged} damaged
 */
export function setAside(model, damaged) {
  return transact([SET_ASIDE], 'readwrite', (transaction) => {
    transaction.objectStore(SET_ASIDE).add({ model, ...damaged });
  });
}

/** Everything set aside, for a person to download. @returns {Promise<unknown[]>} */
export function readSetAside() {
  return transact([SET_ASIDE], 'readonly', (transaction) => settled(transaction.objectStore(SET_ASIDE).getAll()));
}

/**
 * A stored head, checked against the model in use and the drawings taught: the Head; null when
 * it was fitted to another model or other drawings (fit again); or why it is damaged (a string).
 * @param {unknown} head
 * @param {{ modelHash: string, featureSize: number, pooledSize: number }} model the model in
 *   use (metadata.json's model_hash, feature_size and pooled_size)
 * @param {number[]} ids the drawings taught, by id
 * @returns {Head | null | string}
 */
export function checkHead(head, { modelHash, featureSize, pooledSize }, ids) {
  if (head === undefined || head === null) return null;
  if (typeof head !== 'object') return 'the head is not an object';
  const { modelHash: fittedTo, fittedOn } = /** @type {any} */ (head);
  const problem = headProblem(head, featureSize) ?? drawnProblem(head, pooledSize);
  if (problem) return problem;
  if (!Array.isArray(fittedOn) || !fittedOn.every(Number.isInteger)) return 'the head names no drawings';
  const sameDrawings = fittedOn.length === ids.length && fittedOn.every((id, i) => id === ids[i]);
  return fittedTo === modelHash && sameDrawings ? /** @type {Head} */ (head) : null;
}

/** @param {any} head @param {number} featureSize @returns {string | null} */
function headProblem(head, featureSize) {
  const { modelHash, labels, rows, bias } = head;
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

/**
 * The drawings a head is fitted on: at most `most` (or one of each label, when there are more
 * labels), as many of each label as the others (the newest of each), so that thousands of
 * drawings fit in bounded time and memory and every label taught keeps its place. In id order.
 * @param {Drawing[]} drawings by id
 * @param {number} most
 * @returns {Drawing[]}
 */
export function fitSubset(drawings, most) {
  if (drawings.length <= most) return drawings;
  const byLabel = new Map();
  for (let i = drawings.length - 1; i >= 0; i--) { // newest first
    const list = byLabel.get(drawings[i].label) ?? [];
    list.push(drawings[i]);
    byLabel.set(drawings[i].label, list);
  }
  const limit = Math.max(most, byLabel.size);
  const chosen = [];
  for (let round = 0; chosen.length < limit; round++) {
    for (const list of byLabel.values()) {
      if (round < list.length && chosen.length < limit) chosen.push(list[round]);
    }
  }
  return chosen.sort((a, b) => a.id - b.id);
}
