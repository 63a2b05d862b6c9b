// "Teach it your handwriting": save what is drawn with its label, in this browser, and download
// the drawings as my-drawings.ndjson for `python -m trainer train --data my-drawings.ndjson
// --init MODEL_DIR` (web/samples.js says what the file holds).
import {
  countsByLabel, drawingRecord, FILE_NAME, forgetRecords, ndjsonText, saveRecord, savedRecords,
  SET_ASIDE_KEY, setAsideDamaged,
} from './samples.js';

const $ = (id) => document.getElementById(id);

// labels: the model's; strokes(): what is drawn, in the pad's pixels; predict(): the ranked labels
// ([] for a blank pad or a dot); clear(): empties the pad for the next drawing.
export function setUpTeaching({ labels, strokes, predict, clear }) {
  $('teach-label').replaceChildren(...labels.map((label) => new Option(label, label)));
  $('teach-save').addEventListener('click', async () => {
    const ranked = await predict();
    if (!ranked.length) return showNote('Draw something first.');
    const word = $('teach-label').value;
    try {
      saveRecord(localStorage, drawingRecord({ word, strokes: strokes(), recognized: ranked[0].label === word }));
    } catch (error) {
      return showNote(`Cannot save more here (${error.message}): download what you have.`);
    }
    showNote(`Saved as ${word}.`);
    clear();
    showCounts(labels);
  });
  $('teach-download').addEventListener('click', download);
  $('teach-forget').addEventListener('click', () => {
    forgetRecords(localStorage);
    showNote('Forgotten.');
    showCounts(labels);
  });
  const damaged = setAsideDamaged(localStorage);
  if (damaged) {
    showNote(`${damaged} saved item${damaged === 1 ? ' was' : 's were'} not a drawing: set aside `
      + `in this browser's storage (${SET_ASIDE_KEY}).`);
  }
  showCounts(labels);
}

function showCounts(labels) {
  const records = savedRecords(localStorage);
  const counts = countsByLabel(records, labels);
  $('teach-count').textContent = counts.length
    ? `Saved: ${counts.map(([label, count]) => `${label} ×${count}`).join(', ')}`
    : 'No drawings saved yet.';
  $('teach-download').textContent = `Download (${records.length} drawing${records.length === 1 ? '' : 's'})`;
  $('teach-download').disabled = $('teach-forget').disabled = !records.length;
}

function download() {
  const blob = new Blob([ndjsonText(savedRecords(localStorage))], { type: 'application/x-ndjson' });
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = FILE_NAME;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 0);
}

function showNote(message) {
  $('teach-note').textContent = message;
}
