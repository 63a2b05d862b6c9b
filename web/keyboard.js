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
}

// The candidates for a reading (every label ranked, most likely first; [] for none), the row
// marked when the page is not sure of the first.
export function showCandidates(ranked, unsure) {
  $('candidates').classList.toggle('unsure', unsure);
  $('candidates').replaceChildren(...candidateRow(ranked, groups).map(({ text: written, label, prob }) => {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = written;
    button.dataset.label = label;
    button.dataset.prob = prob.toFixed(4);
    button.addEventListener('click', () => write(written, label, ranked[0].label));
    return button;
  }));
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
