// Drawings a person saves with their label, kept in the browser, downloaded as a file the trainer
// reads (`--data my-drawings.ndjson`): Quick, Draw!'s ndjson, one JSON object per line:
//   {"word": "7", "countrycode": "ZZ", "timestamp": "...", "recognized": true, "key_id": "...",
//    "drawing": [[[x0, x1, ...], [y0, y1, ...]], ...]}
// Coordinates are the pad's canvas pixels (pad.inPixels(), y down) rounded to whole pixels, as
// Quick, Draw! stores them: half a pixel of a pad hundreds of pixels wide is under a fiftieth of
// a pixel of a 28 px model input, and the file stays small. The pad keeps no times, so strokes
// are [xs, ys], Quick, Draw!'s simplified form. Pure functions: the storage (localStorage in the
// page) is passed in.

export const STORAGE_KEY = 'drawrecog-my-drawings';
export const SET_ASIDE_KEY = 'drawrecog-my-drawings-set-aside'; // stored items that are not drawings
const MAX_LABEL = 100; // characters: web/metadata.schema.json's longest label
const LARGEST_COORDINATE = 1e6; // trainer/strokes.py's: the trainer refuses a file beyond it
export const FILE_NAME = 'my-drawings.ndjson';
const UNKNOWN_COUNTRY = 'ZZ'; // ISO 3166's code for an unknown country; the page never asks

// One drawing as a Quick, Draw! record: strokes are lists of [x, y] points in the pad's pixels.
export function drawingRecord({ word, strokes, recognized, time = new Date(), keyId = randomKey() }) {
  return {
    word,
    countrycode: UNKNOWN_COUNTRY,
    timestamp: quickDrawTime(time),
    recognized,
    key_id: keyId,
    drawing: strokes.map((stroke) => [
      stroke.map(([x]) => Math.round(x)),
      stroke.map(([, y]) => Math.round(y)),
    ]),
  };
}

// Quick, Draw!'s timestamps: "2017-03-28 15:46:07.86184 UTC".
export function quickDrawTime(time) {
  return time.toISOString().replace('T', ' ').replace('Z', ' UTC');
}

export function randomKey() {
  return String(crypto.getRandomValues(new BigUint64Array(1))[0]);
}

// The saved records that are drawings, oldest first; [] when none.
export function savedRecords(storage) {
  return (storedItems(storage) ?? []).filter(isDrawingRecord);
}

// Moves what is stored under STORAGE_KEY but is not a drawing (or not JSON at all) to
// SET_ASIDE_KEY, where nothing reads it but a person can still find it; returns how many items.
export function setAsideDamaged(storage) {
  const raw = storage.getItem(STORAGE_KEY);
  if (raw === null) return 0;
  const items = storedItems(storage);
  const damaged = items === null ? [raw] : items.filter((item) => !isDrawingRecord(item));
  if (!damaged.length) return 0;
  const before = storedItems(storage, SET_ASIDE_KEY) ?? [storage.getItem(SET_ASIDE_KEY)];
  storage.setItem(SET_ASIDE_KEY, JSON.stringify([...before, ...damaged]));
  storage.setItem(STORAGE_KEY, JSON.stringify(items?.filter(isDrawingRecord) ?? []));
  return damaged.length;
}

// What is stored: an array (of anything), [] when nothing is, null when it is not a JSON array.
function storedItems(storage, key = STORAGE_KEY) {
  try {
    const items = JSON.parse(storage.getItem(key) ?? '[]');
    return Array.isArray(items) ? items : null;
  } catch {
    return null;
  }
}

// A record as the trainer reads it (trainer/sources/ndjson.py): a label, and strokes of whole
// pixel coordinates [xs, ys], the two lists of one length, within the trainer's bounds.
export function isDrawingRecord(record) {
  const { word, drawing } = record ?? {};
  return typeof word === 'string' && word.length > 0 && word.length <= MAX_LABEL
    && Array.isArray(drawing) && drawing.length > 0 && drawing.every(isStroke);
}

function isStroke(stroke) {
  return Array.isArray(stroke) && stroke.length === 2
    && stroke.every((values) => Array.isArray(values) && values.length === stroke[0].length
      && values.every((value) => Number.isFinite(value) && Math.abs(value) <= LARGEST_COORDINATE))
    && stroke[0].length > 0;
}

// Adds a record; the browser's quota error (a few MB: thousands of drawings) reaches the caller.
export function saveRecord(storage, record) {
  const records = [...savedRecords(storage), record];
  storage.setItem(STORAGE_KEY, JSON.stringify(records));
  return records;
}

// Removes the record of `keyId` (a drawing taken back), if there is one.
export function forgetRecord(storage, keyId) {
  const records = savedRecords(storage);
  const kept = records.filter((record) => record.key_id !== keyId);
  if (kept.length !== records.length) storage.setItem(STORAGE_KEY, JSON.stringify(kept));
}

export function forgetRecords(storage) {
  storage.removeItem(STORAGE_KEY);
}

// How many drawings each label has, in the order of `labels`, those with none left out.
export function countsByLabel(records, labels) {
  const counts = new Map(labels.map((label) => [label, 0]));
  for (const { word } of records) counts.set(word, (counts.get(word) ?? 0) + 1);
  return [...counts].filter(([, count]) => count > 0);
}

// The file's text: one record a line, each line ending with a newline.
export function ndjsonText(records) {
  return records.map((record) => `${JSON.stringify(record)}\n`).join('');
}
