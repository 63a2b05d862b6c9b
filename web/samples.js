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

// The saved records, oldest first; [] when none (or when what is stored is not ours).
export function savedRecords(storage) {
  try {
    const records = JSON.parse(storage.getItem(STORAGE_KEY) ?? '[]');
    return Array.isArray(records) ? records : [];
  } catch {
    return [];
  }
}

// Adds a record; the browser's quota error (a few MB: thousands of drawings) reaches the caller.
export function saveRecord(storage, record) {
  const records = [...savedRecords(storage), record];
  storage.setItem(STORAGE_KEY, JSON.stringify(records));
  return records;
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
