// The page: draw, ask the recognizer (recognizer.js, which holds the model), show its answers.
import { aboutModel, showPicker } from './models.js';
import { chooseModel } from './model-folders.js';
import { setUpKeyboard, showCandidates } from './keyboard.js';
import { Pad } from './pad.js';
import { notSureThreshold } from './metadata.js';
import { Recognizer } from './recognizer.js';
import { setUpTeaching, showCorrections, showLabels, showNote, showSetAside } from './teach.js';
import { registerForOffline, watchForModelUpdates } from './updates.js';

const TOP_K = 3;
const SETTLE_MS = 300; // recognise this long after the last stroke ends

const $ = (id) => document.getElementById(id);
let recognizer = null;
let metadata = null;
let pad = null;
let settleTimer = null;
let photoInput = null; // the last photo, as the model's input
let lastMs = null; // the last answer's time: { preprocess, model, total } in ms
let lastAdapted = false; // whether the last answer came from the head fitted to the person

const choice = chooseModel(); // never fails: a damaged catalog gives the default model and a note
const ready = start();
ready.catch((error) => showError(`The model failed to load: ${error.message}`));
choice.then(({ folder }) => watchForModelUpdates(ready, folder, refreshPicker));
// What was taught on earlier visits, read back after the model (which reads meanwhile).
const personal = ready.then(showPersonal, () => {});

async function start() {
  const requested = new URLSearchParams(location.search).get('backend');
  const { folder, problem } = await choice;
  $('models-note').textContent = problem ?? '';
  $('models-note').hidden = !problem;
  refreshPicker();
  for (const change of ['online', 'offline']) addEventListener(change, refreshPicker);
  recognizer = await Recognizer.load(folder, { backends: requested ? [requested] : [] });
  // Only now: the worker's copy of the model revalidates what the page just downloaded (304)
  // instead of downloading it a second time alongside.
  registerForOffline();
  metadata = recognizer.metadata;
  setUpInput();
  showBackends();
  $('model-info').textContent = aboutModel(metadata);
  (/** @type {HTMLSelectElement} */ ($('backend'))).value = recognizer.backend;
  $('threads').textContent = recognizer.threads ? `, ${recognizer.threads} thread(s)` : '';
  $('load-time').textContent = `${Math.round(recognizer.loadMs)} ms`;
  setStatus(pad ? hint() : '');
}

async function showPersonal() {
  await recognizer.personal;
  const taught = recognizer.taughtDrawings;
  // What setting up teaching said (stored drawings set aside) stays beside the head's own note.
  const notes = [$('personal-note').textContent, recognizer.personalNote].filter(Boolean);
  if (!notes.length && taught) notes.push(`Reading your handwriting: ${taught} drawing${taught === 1 ? '' : 's'} taught.`);
  if (notes.length) showNote(notes.join(' '));
  if (pad) {
    showLabels();
    await showSetAside();
  }
}

function refreshPicker() {
  choice.then((chosen) => showPicker(/** @type {HTMLSelectElement} */ ($('model')), chosen));
}

function showBackends() {
  $('backend').replaceChildren(...metadata.backends.map((name) => new Option(name, name)));
}

function setUpInput() {
  const photo = metadata.input === 'photo';
  document.title = $('title').textContent = photo ? 'What is in the photo?' : hint();
  $('draw-section').hidden = photo;
  $('photo-section').hidden = !photo;
  $('teach').hidden = photo;
  if (photo) {
    $('photo').addEventListener('change', () => recognisePhoto((/** @type {HTMLInputElement} */ ($('photo'))).files[0])
      .catch((error) => setStatus(`Cannot read that photo: ${error.message}`)));
    return;
  }
  pad = new Pad($('pad'));
  pad.onStrokeStart = () => clearTimeout(settleTimer);
  pad.onStrokeEnd = () => {
    clearTimeout(settleTimer);
    settleTimer = setTimeout(recognise, SETTLE_MS);
  };
  $('clear').addEventListener('click', () => { pad.clear(); recognise(); });
  $('undo').addEventListener('click', () => { pad.undo(); recognise(); });
  $('multi').addEventListener('change', () => {
    $('pad').classList.toggle('wide', (/** @type {HTMLInputElement} */ ($('multi'))).checked);
    pad.clear();
    pad.fitToScreen();
    recognise();
  });
  $('backend').addEventListener('change', () => {
    const url = new URL(location.href);
    url.searchParams.set('backend', (/** @type {HTMLSelectElement} */ ($('backend'))).value);
    location.assign(url);
  });
  document.addEventListener('keydown', (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key === 'z') { event.preventDefault(); $('undo').click(); }
    if (event.key === 'Escape') $('clear').click();
  });
  new ResizeObserver(() => pad.fitToScreen()).observe($('pad'));
  if (metadata.one_character) { // a handwriting keyboard: one character, its candidates, a text line
    $('multi-toggle').hidden = $('results').hidden = true;
    setUpKeyboard({ metadata, model: recognizer.modelKey, strokes: () => pad.inPixels(), clearPad: () => $('clear').click() });
  }
  try { // the model works whatever the teaching part meets in this browser's storage
    setUpTeaching({
      recognizer, strokes: () => pad.inPixels(), predict, clear: () => $('clear').click(),
    });
  } catch (error) {
    showNote(`Saving drawings is unavailable here: ${error.message}`);
  }
}

function hint() {
  const digits = metadata.labels.every((label) => /^[0-9]$/.test(label));
  return `Draw a ${digits ? 'digit' : 'character'}`;
}

async function recognise() {
  if ((/** @type {HTMLInputElement} */ ($('multi'))).checked) await readNumber();
  else await predict();
}

// The pad's strokes as the model's input; null when there is no ink. For a photo model: the last
// photo's input, null before the first.
async function preprocess() {
  await ready;
  return pad ? recognizer.preprocess(pad.inPixels()) : photoInput;
}

// The whole pad as one character: every label with its probability, most likely first; [] for a
// blank pad, a dot or a scribble (the status says which).
async function predict() {
  await ready;
  if (!pad) return []; // a photo model: recognisePhoto() reads its input
  const { ranked, refused, adapted, ms } = await recognizer.predict(pad.inPixels(), { areaSide: pad.side });
  lastAdapted = adapted;
  showTime(ms);
  // A keyboard's list of the best three is hidden: its row of candidates shows the answer.
  if (!metadata.one_character) showResults(ranked.slice(0, TOP_K));
  if (refused) {
    showCorrections([], false);
    if (metadata.one_character) showCandidates([], false);
    setStatus(refused.reason === 'empty' || refused.reason === 'dot' ? hint() : refused.message);
    return [];
  }
  const [top, second] = ranked;
  const unsure = top.prob < notSureThreshold(metadata);
  if (metadata.one_character) showCandidates(ranked, unsure);
  else showCorrections(ranked, unsure);
  // Unsure, the two best candidates: a misread's right answer is most often the second.
  const candidates = second ? `${top.label} or ${second.label}` : top.label;
  setStatus(unsure ? `Not sure: ${candidates}?` : '');
  $('results').classList.toggle('unsure', unsure);
  return ranked;
}

// Several characters side by side, grouped by the gaps between them: the string they spell.
async function readNumber() {
  await ready;
  const ranked = await recognizer.readCharacters(pad.inPixels(),
    { areaSide: pad.side, margin: pad.lineWidth / 2 });
  const best = ranked.map(([top]) => top);
  showResults(best);
  showCorrections([], false);
  const text = best.map(({ label }) => label).join('');
  $('number').textContent = text;
  setStatus(text ? '' : hint());
  return text;
}

async function recognisePhoto(file) {
  if (!file) return;
  await ready;
  setStatus('');
  const { ranked, input, ms } = await recognizer.recognisePhoto(file);
  photoInput = input;
  showPhoto(input, metadata.preprocessing.size);
  showTime(ms);
  showResults(ranked.slice(0, TOP_K));
  return ranked;
}

function showTime(ms) {
  lastMs = ms;
  $('inference-time').textContent = `${ms.total.toFixed(1)} ms`;
}

// The photo as the model sees it.
function showPhoto(input, size) {
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = size;
  const context = canvas.getContext('2d');
  const image = context.createImageData(size, size);
  for (let i = 0; i < size * size; i++) {
    image.data.set([input[i * 3], input[i * 3 + 1], input[i * 3 + 2], 255], i * 4);
  }
  context.putImageData(image, 0, 0);
  (/** @type {HTMLImageElement} */ ($('photo-preview'))).src = canvas.toDataURL();
}

function showResults(top) {
  $('results').replaceChildren(...top.map(({ label, prob }) => {
    const item = document.createElement('li');
    item.dataset.label = label;
    item.dataset.prob = prob.toFixed(4);
    const name = document.createElement('span');
    name.className = 'label';
    name.textContent = label;
    const bar = document.createElement('span');
    bar.className = 'bar';
    bar.style.setProperty('--p', prob.toFixed(4));
    const value = document.createElement('span');
    value.className = 'prob';
    value.textContent = `${(prob * 100).toFixed(1)}%`;
    item.append(name, bar, value);
    item.setAttribute('aria-label', `${label}: ${(prob * 100).toFixed(0)} percent`);
    return item;
  }));
  if (!(/** @type {HTMLInputElement} */ ($('multi'))).checked) $('number').textContent = '';
}

function setStatus(message) {
  $('status').textContent = message;
}

function showError(message) {
  setStatus(message);
  $('status').classList.add('error');
  $('status').setAttribute('role', 'alert');
  $('model-info').textContent = '';
}

// The page's automation contract (docs/page.md): what the page shows, for tests, benchmarks and
// scripts; predict() resolves to the ranked labels the page lists, not to Recognizer's answer.
window.app = {
  ready,
  predict,
  preprocess: () => preprocess(),
  get strokes() { return pad?.inPixels() ?? []; }, // what was drawn, in the pad's pixels
  readNumber,
  recognisePhoto,
  get backend() { return recognizer?.backend ?? null; },
  get lastMs() { return lastMs; }, // the last answer's { preprocess, model, total } in ms
  get adapted() { return lastAdapted; }, // whether the last answer read with the personal head
  personal, // settles once what was taught before is read back and in use
  teach: async (label) => { await ready; return recognizer.teach(pad.inPixels(), label); },
  taught: async () => { await ready; return recognizer.taught(); },
  remove: async (id) => { await ready; return recognizer.remove(id); },
  undo: async () => { await ready; return recognizer.undo(); },
  forget: async () => { await ready; return recognizer.forget(); },
  get personalNote() { return recognizer?.personalNote ?? null; },
};
