// "Teach it your handwriting": what is drawn, saved with its label, teaches the recognizer at
// once (a personal head fitted in its worker, the drawings kept in IndexedDB: web/recognizer.js),
// and is kept in localStorage to download as my-drawings.ndjson for `python -m trainer train
// --data my-drawings.ndjson --init MODEL_DIR`, which makes it permanent (web/samples.js says what
// the file holds). A wrong answer is corrected with one tap on the right label under it. What was
// taught is listed by label, each drawing removable; "Undo" takes back the last one.
import { readSetAside } from './personal-store.js';
import {
  countsByLabel, drawingRecord, FILE_NAME, forgetRecord, forgetRecords, ndjsonText, saveRecord,
  savedRecords, SET_ASIDE_KEY, setAsideDamaged,
} from './samples.js';

const $ = (id) => document.getElementById(id);
const MOST_CORRECTION_LABELS = 40; // more labels than this make a row of buttons no one reads
const THUMBNAILS_PER_LABEL = 12; // the newest of each label are shown; the rest counted
const MOST_THUMBNAILS = 240; // in all: with many labels, fewer of each (one at least)
const THUMBNAIL_PX = 44;
const SET_ASIDE_FILE = 'set-aside.json';

let recognizer = null;
let strokes = null;
let predict = null;
let clear = null;

// recognizer: the page's Recognizer; strokes(): what is drawn, in the pad's pixels; predict():
// reads the pad again and shows its answer (the ranked labels, [] for a blank pad or a dot);
// clear(): empties the pad for the next drawing.
export function setUpTeaching(options) {
  ({ recognizer, strokes, predict, clear } = options);
  const damaged = setAsideDamaged(localStorage);
  showLabels();
  $('teach-save').addEventListener('click', async () => {
    const ranked = await predict();
    if (!ranked.length) return showNote('Draw something first.');
    const word = (/** @type {HTMLInputElement} */ ($('teach-new'))).value.trim() || (/** @type {HTMLSelectElement} */ ($('teach-label'))).value;
    if (await learn(word, ranked[0].label === word)) {
      (/** @type {HTMLInputElement} */ ($('teach-new'))).value = '';
      clear();
    }
  });
  $('teach-undo').addEventListener('click', undo);
  $('teach-download').addEventListener('click', download);
  $('teach-set-aside').addEventListener('click', downloadSetAside);
  $('teach-forget').addEventListener('click', forget);
  $('teach').addEventListener('toggle', showTaught);
  $('wrong').addEventListener('click', () => {
    $('correct').hidden = false;
    $('wrong').hidden = true;
  });
  if (damaged) {
    showNote(`${damaged} saved item${damaged === 1 ? ' was' : 's were'} not a drawing: set aside `
      + `in this browser's storage (${SET_ASIDE_KEY}).`);
  }
  showSetAside();
}

// Under an answer: a button for each label, to say which it is when the answer is wrong. The row
// shows when the page is not sure; else "Wrong?" opens it.
export function showCorrections(ranked, unsure) {
  const labels = recognizer.labels.length <= MOST_CORRECTION_LABELS ? recognizer.labels : [];
  const correctable = ranked.length > 0 && labels.length > 0;
  $('correct').hidden = !correctable || !unsure;
  $('wrong').hidden = !correctable || unsure;
  $('correct-labels').replaceChildren(...labels.map((label) => {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = label;
    button.dataset.label = label;
    button.addEventListener('click', async () => {
      if (await learn(label, ranked[0].label === label)) await predict();
    });
    return button;
  }));
}

// A drawing (the pad's, unless given) is a `word`: taught, and saved for download. Returns
// whether it was.
export async function learn(word, recognized, drawn = strokes()) {
  let taught = null;
  try {
    taught = await recognizer.teach(drawn, word);
  } catch (error) {
    // A drawing or label it cannot use is refused; one it cannot learn from is still saved.
    if (error.reason !== 'no-features') {
      showNote(`Not saved: ${error.message}`);
      return false;
    }
    showNote(`Saved as ${word}, but the page cannot learn from it: ${error.message}`);
  }
  try {
    const keyId = taught ? String(taught.id) : undefined;
    saveRecord(localStorage, drawingRecord({ word, strokes: drawn, recognized, keyId }));
  } catch (error) {
    showNote(`Learnt, but it cannot be kept for download here (${error.message}): download what you have.`);
  }
  if (taught) {
    const { waiting, fitMs } = taught;
    showNote(waiting
      ? `Saved as ${word}: ${waiting} more drawing${waiting === 1 ? '' : 's'} of it and the page reads it.`
      : `Saved as ${word}: the page now reads your handwriting (learnt in ${Math.round(fitMs)} ms).`);
  }
  showLabels(word);
  return true;
}

async function undo() {
  const taken = await recognizer.undo();
  if (!taken) return;
  forgetRecord(localStorage, String(taken.id));
  showNote(`Taken back: a drawing of ${taken.label}.`);
  showLabels();
  await predict();
}

async function remove(id) {
  if (!await recognizer.remove(id)) return;
  forgetRecord(localStorage, String(id));
  showNote('Removed: the page reads as if it had never been taught that drawing.');
  showLabels();
  await predict();
}

async function forget() {
  const count = recognizer.taughtDrawings;
  if (!window.confirm(`Forget the ${count} drawing${count === 1 ? '' : 's'} taught in this browser? `
    + 'This cannot be undone; download them first to keep them.')) return;
  forgetRecords(localStorage);
  await recognizer.forget();
  showNote('Forgotten: the model reads on its own again.');
  showLabels();
  await predict();
}

// The labels one can save a drawing as (the model's, then the person's own), `chosen` selected
// (else the one selected before); what was taught, counted and listed.
export function showLabels(chosen = (/** @type {HTMLSelectElement} */ ($('teach-label'))).value) {
  const records = savedRecords(localStorage);
  const taught = recognizer.taught();
  const labels = [...new Set([...recognizer.metadata.labels, ...taught.map(({ label }) => label),
    ...records.map(({ word }) => word)])];
  $('teach-label').replaceChildren(...labels.map((label) => new Option(label, label)));
  if (labels.includes(chosen)) (/** @type {HTMLSelectElement} */ ($('teach-label'))).value = chosen;
  const counts = countsByLabel(taught.map(({ label }) => ({ word: label })), labels);
  $('teach-count').textContent = counts.length
    ? `Taught: ${counts.map(([label, count]) => `${label} ×${count}`).join(', ')}`
    : 'Nothing taught yet.';
  $('teach-download').textContent = `Download (${records.length} drawing${records.length === 1 ? '' : 's'})`;
  (/** @type {HTMLButtonElement} */ ($('teach-download'))).disabled = !records.length;
  (/** @type {HTMLButtonElement} */ ($('teach-undo'))).disabled = !recognizer.canUndo;
  (/** @type {HTMLButtonElement} */ ($('teach-forget'))).disabled = !records.length && !recognizer.taughtDrawings;
  showTaught();
}

// The drawings taught, by label, newest first: a thumbnail each, with a button that removes it.
// Drawn only while the panel is open (thousands of thumbnails cost time for nothing).
function showTaught() {
  if (!(/** @type {HTMLDetailsElement} */ ($('teach'))).open) return $('taught-list').replaceChildren();
  const byLabel = new Map();
  for (const drawing of recognizer.taught().reverse()) {
    byLabel.set(drawing.label, [...(byLabel.get(drawing.label) ?? []), drawing]);
  }
  const perLabel = Math.max(1, Math.min(THUMBNAILS_PER_LABEL, Math.floor(MOST_THUMBNAILS / byLabel.size)));
  $('taught-list').replaceChildren(...[...byLabel].map(([label, drawings]) => {
    const group = document.createElement('li');
    group.dataset.label = label;
    const name = document.createElement('span');
    name.className = 'taught-label';
    name.textContent = label;
    const shown = drawings.slice(0, perLabel).map((drawing) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'thumbnail';
      button.dataset.id = String(drawing.id);
      button.setAttribute('aria-label', `Remove this drawing of ${label}`);
      button.title = 'Remove';
      button.append(thumbnail(drawing.strokes));
      button.addEventListener('click', () => remove(drawing.id));
      return button;
    });
    const more = drawings.length - shown.length;
    const rest = document.createElement('span');
    rest.className = 'muted';
    rest.textContent = more > 0 ? `+${more} more` : '';
    group.append(name, ...shown, rest);
    return group;
  }));
}

function thumbnail(drawn) {
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = THUMBNAIL_PX;
  const points = drawn.flat();
  const [xs, ys] = [points.map(([x]) => x), points.map(([, y]) => y)];
  const left = Math.min(...xs), top = Math.min(...ys);
  const side = Math.max(Math.max(...xs) - left, Math.max(...ys) - top) || 1;
  const margin = 4;
  const scale = (THUMBNAIL_PX - 2 * margin) / side;
  const context = canvas.getContext('2d');
  context.lineWidth = 2;
  context.lineCap = context.lineJoin = 'round';
  /** @type {(point: number[]) => [number, number]} */
  const at = ([x, y]) => [margin + (x - left) * scale, margin + (y - top) * scale];
  for (const stroke of drawn) {
    context.beginPath();
    context.moveTo(...at(stroke[0]));
    for (const point of stroke.length > 1 ? stroke.slice(1) : stroke) context.lineTo(...at(point));
    context.stroke();
  }
  return canvas;
}

function download() {
  save(new Blob([ndjsonText(savedRecords(localStorage))], { type: 'application/x-ndjson' }), FILE_NAME);
}

// What was found damaged (in IndexedDB, and in localStorage's saved drawings), as it was found.
async function downloadSetAside() {
  const stored = await readSetAside().catch(() => []);
  const saved = localStorage.getItem(SET_ASIDE_KEY);
  const items = { taught: stored, saved: saved === null ? [] : JSON.parse(saved) };
  save(new Blob([JSON.stringify(items, typedArrays, 1)], { type: 'application/json' }), SET_ASIDE_FILE);
}

// Typed arrays (a head's weights) as lists of numbers, not as objects of indices.
function typedArrays(_key, value) {
  return ArrayBuffer.isView(value) ? Array.from(/** @type {any} */ (value)) : value;
}

// Shows the download of what was set aside when there is any.
export async function showSetAside() {
  const stored = await readSetAside().catch(() => []);
  $('teach-set-aside').hidden = !stored.length && localStorage.getItem(SET_ASIDE_KEY) === null;
}

function save(blob, name) {
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 0);
}

export function showNote(message) {
  $('personal-note').textContent = message;
}
