// "Teach it your handwriting": what is drawn, saved with its label, teaches the recognizer at
// once (a personal head fitted in its worker, kept in IndexedDB: web/recognizer.js), and is kept
// in localStorage to download as my-drawings.ndjson for `python -m trainer train --data
// my-drawings.ndjson --init MODEL_DIR`, which makes it permanent (web/samples.js says what the
// file holds). A wrong answer is corrected with one tap on the right label under it.
import {
  countsByLabel, drawingRecord, FILE_NAME, forgetRecords, ndjsonText, saveRecord, savedRecords,
  SET_ASIDE_KEY, setAsideDamaged,
} from './samples.js';

const $ = (id) => document.getElementById(id);
const MOST_CORRECTION_LABELS = 40; // more labels than this make a row of buttons no one reads

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
    const word = $('teach-new').value.trim() || $('teach-label').value;
    if (await learn(word, ranked[0].label === word)) clear();
    $('teach-new').value = '';
  });
  $('teach-download').addEventListener('click', download);
  $('teach-forget').addEventListener('click', async () => {
    forgetRecords(localStorage);
    await recognizer.forget();
    showNote('Forgotten: the model reads on its own again.');
    showLabels();
    await predict();
  });
  if (damaged) {
    showNote(`${damaged} saved item${damaged === 1 ? ' was' : 's were'} not a drawing: set aside `
      + `in this browser's storage (${SET_ASIDE_KEY}).`);
  }
}

// Under an answer: a button for each label, to say which it is when the answer is wrong.
export function showCorrections(ranked) {
  const labels = recognizer.labels.length <= MOST_CORRECTION_LABELS ? recognizer.labels : [];
  $('correct').hidden = !ranked.length || !labels.length;
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

// The drawing on the pad is a `word`: saved, and taught. Returns whether it was.
async function learn(word, recognized) {
  const drawn = strokes();
  try {
    saveRecord(localStorage, drawingRecord({ word, strokes: drawn, recognized }));
  } catch (error) {
    showNote(`Cannot save more here (${error.message}): download what you have.`);
    return false;
  }
  try {
    const { waiting, fitMs } = await recognizer.teach(drawn, word);
    showNote(waiting
      ? `Saved as ${word}: ${waiting} more drawing${waiting === 1 ? '' : 's'} of it and the page reads it.`
      : `Saved as ${word}: the page now reads your handwriting (learnt in ${Math.round(fitMs)} ms).`);
  } catch (error) {
    showNote(`Saved as ${word}, but the page cannot learn from it: ${error.message}`);
  }
  showLabels();
  return true;
}

// The labels one can save a drawing as: the model's, then the person's own.
function showLabels() {
  const records = savedRecords(localStorage);
  const labels = [...new Set([...recognizer.metadata.labels, ...records.map(({ word }) => word)])];
  const chosen = $('teach-label').value;
  $('teach-label').replaceChildren(...labels.map((label) => new Option(label, label)));
  if (labels.includes(chosen)) $('teach-label').value = chosen;
  const counts = countsByLabel(records, labels);
  $('teach-count').textContent = counts.length
    ? `Saved: ${counts.map(([label, count]) => `${label} ×${count}`).join(', ')}`
    : 'No drawings saved yet.';
  $('teach-download').textContent = `Download (${records.length} drawing${records.length === 1 ? '' : 's'})`;
  $('teach-download').disabled = !records.length;
  $('teach-forget').disabled = !records.length && !recognizer.taughtDrawings;
}

function download() {
  const blob = new Blob([ndjsonText(savedRecords(localStorage))], { type: 'application/x-ndjson' });
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = FILE_NAME;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 0);
}

export function showNote(message) {
  $('personal-note').textContent = message;
}
