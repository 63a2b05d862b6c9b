// The answer area of a model that reads one character at a time (metadata.json's
// `one_character`), as a handwriting keyboard: after a pause, a row of candidates, best first
// (web/candidates.js); tapping one writes it into the text line (web/text-line.js), which can be
// copied, backspaced and cleared, and clears the pad for the next character. Tapping another
// than the first is a correction: the drawing is taught as that candidate's label (teach.js's
// learn(), as a correction on the digits page).
import { candidateRow } from './candidates.js';
import { learn } from './teach.js';
import { readText, setAsideKey, withoutLast, writeText } from './text-line.js';

const $ = (id) => document.getElementById(id);

let groups = [];
let strokes = null;
let clearPad = null;
let text = '';
let model = ''; // the model folder's URL: whose text line this is
/** @type {import('./candidates.js').Candidate[]} */
let shown = []; // the row on the page
let firstLabel = ''; // the row's first label: a tap on another is a correction

// metadata: the model's (its candidate_groups); model: its key (Recognizer.modelKey); strokes():
// what is drawn, in the pad's pixels; clearPad(): empties the pad for the next character.
export function setUpKeyboard(options) {
  groups = options.metadata.candidate_groups ?? [];
  ({ model, strokes, clearPad } = options);
  $('keyboard').hidden = false;
  try {
    const stored = readText(localStorage, model);
    text = stored.text;
    if (stored.setAside) {
      showTextNote(`The text kept from an earlier visit was damaged: set aside in this browser's storage (${setAsideKey(model)}).`);
    }
  } catch (error) {
    showTextNote(`Your text cannot be kept in this browser (${error.message}).`);
  }
  showText();
  $('text-backspace').addEventListener('click', () => setText(withoutLast(text)));
  $('text-clear').addEventListener('click', () => setText(''));
  $('text-copy').addEventListener('click', copy);
  $('candidates').addEventListener('click', tapped);
}

// The candidates for a reading (every label ranked, most likely first; [] for none), the row
// marked when the page is not sure of the first. The buttons stay from one reading to the next,
// each changed only where its candidate did: a new row for every reading kept the page's
// rendering busy beside the model's worker, the most of predict()'s time after the model itself
// on two cores (BENCHMARKS.md, "predict() on a Japanese export").
export function showCandidates(ranked, unsure) {
  const container = $('candidates');
  container.classList.toggle('unsure', unsure);
  shown = candidateRow(ranked, groups);
  firstLabel = ranked[0]?.label ?? '';
  const buttons = /** @type {HTMLButtonElement[]} */ (Array.from(container.children));
  shown.forEach(({ text: written, label, prob }, i) => {
    const button = buttons[i] ?? container.appendChild(candidateButton());
    if (button.textContent !== written) button.textContent = written;
    if (button.dataset.label !== label) button.dataset.label = label;
    const probability = prob.toFixed(4);
    if (button.dataset.prob !== probability) button.dataset.prob = probability;
  });
  for (const extra of buttons.slice(shown.length)) extra.remove();
}

function candidateButton() {
  const button = document.createElement('button');
  button.type = 'button';
  return button;
}

// A tap on the row: the candidate of the button tapped.
function tapped(event) {
  const button = /** @type {Element} */ (event.target).closest('#candidates > button');
  if (!button) return;
  const { text: written, label } = shown[Array.from($('candidates').children).indexOf(button)];
  write(written, label, firstLabel);
}

async function write(written, label, first) {
  const drawn = strokes();
  setText(text + written);
  clearPad();
  if (label !== first) {
    await learn(label, false, drawn).catch((error) => showTextNote(`Written, not learnt: ${error.message}`));
  }
}

function setText(next) {
  text = next;
  showText();
  try {
    writeText(localStorage, model, text);
  } catch (error) {
    showTextNote(`Your text cannot be kept in this browser (${error.message}).`);
  }
}

function showText() {
  $('text-line').textContent = text;
  for (const id of ['text-backspace', 'text-clear', 'text-copy']) {
    /** @type {HTMLButtonElement} */ ($(id)).disabled = !text;
  }
}

// The clipboard API, else (an insecure page, a browser that refuses) the text selected and copied
// the old way.
async function copy() {
  try {
    await navigator.clipboard.writeText(text);
    return showTextNote('Copied.');
  } catch {
    const selection = getSelection();
    selection.selectAllChildren($('text-line'));
    const copied = document.execCommand('copy');
    showTextNote(copied ? 'Copied.' : 'Selected: copy it with your device\'s copy command.');
  }
}

function showTextNote(message) {
  $('text-note').textContent = message;
}
