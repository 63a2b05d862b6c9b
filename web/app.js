// The page: load the graph model on the best backend, read the pad, show the top guesses.
import { checkMetadata } from './metadata.js';
import { Pad } from './pad.js';
import { decodePhoto, photoToInput } from './preprocess.js';
import { strokesToInput } from './strokes.js';
import { setUpTeaching } from './teach.js';
import { watchForModelUpdates } from './updates.js';

const TOP_K = 3;
const NOT_SURE = 0.5; // "not sure" below this top probability, unless the metadata has the model's
const MIN_EXTENT = 0.08; // ink spanning less of the pad than this is a dot, not a character
const SETTLE_MS = 300; // recognise this long after the last stroke ends

const $ = (id) => document.getElementById(id);
let model = null;
let metadata = null;
let pad = null;
let backend = null;
let settleTimer = null;
let photoInput = null; // the last photo, as the model's input

const ready = start();
ready.catch((error) => showError(`The model failed to load: ${error.message}`));
watchForModelUpdates(ready);

async function start() {
  registerServiceWorker();
  const started = performance.now();
  metadata = await fetchJson('model/metadata.json');
  checkMetadata(metadata);
  setUpInput();
  showBackends();
  backend = await loadModel(backendCandidates());
  const loadMs = Math.round(performance.now() - started);
  $('model-info').textContent = `${metadata.name} · ${metadata.labels.length} labels`;
  $('backend').value = backend;
  $('threads').textContent = backend === 'wasm' ? `, ${tf.wasm.getThreadsCount()} thread(s)` : '';
  $('load-time').textContent = `${loadMs} ms`;
  setStatus(pad ? hint() : '');
}

async function fetchJson(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

// The export's list of TF.js backends, preferred first: each falls back to the next.
function backendCandidates() {
  const { backends } = metadata;
  const requested = new URLSearchParams(location.search).get('backend');
  return requested ? [requested, ...backends.filter((name) => name !== requested)] : backends;
}

function showBackends() {
  $('backend').replaceChildren(...metadata.backends.map((name) => new Option(name, name)));
}

// The first backend that starts, loads the model and runs it; the model is warmed up on it.
async function loadModel(candidates) {
  tf.wasm.setWasmPaths(new URL('vendor/', location.href).href);
  const failures = [];
  for (const name of candidates) {
    try {
      if (!(await tf.setBackend(name))) throw new Error('did not start');
      const loaded = await tf.loadGraphModel('model/model.json');
      const { input_size: size, channels } = metadata;
      const warmUp = tf.tidy(() => loaded.predict(tf.zeros([1, size, size, channels])));
      await warmUp.data(); // the first run compiles kernels: not on the user's first stroke
      warmUp.dispose();
      model = loaded;
      return name;
    } catch (error) {
      failures.push(`${name}: ${error.message}`);
      console.warn(`TF.js backend ${name} failed, trying the next one`, error);
    }
  }
  throw new Error(`no TF.js backend works here (${failures.join('; ')})`);
}

function setUpInput() {
  const photo = metadata.input === 'photo';
  document.title = $('title').textContent = photo ? 'What is in the photo?' : hint();
  $('draw-section').hidden = photo;
  $('photo-section').hidden = !photo;
  if (photo) {
    $('photo').addEventListener('change', () => recognisePhoto($('photo').files[0])
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
    $('pad').classList.toggle('wide', $('multi').checked);
    pad.clear();
    pad.fitToScreen();
    recognise();
  });
  $('backend').addEventListener('change', () => {
    const url = new URL(location.href);
    url.searchParams.set('backend', $('backend').value);
    location.assign(url);
  });
  document.addEventListener('keydown', (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key === 'z') { event.preventDefault(); $('undo').click(); }
    if (event.key === 'Escape') $('clear').click();
  });
  new ResizeObserver(() => pad.fitToScreen()).observe($('pad'));
  setUpTeaching({
    labels: metadata.labels, strokes: () => pad.inPixels(), predict, clear: () => $('clear').click(),
  });
}

function hint() {
  const digits = metadata.labels.every((label) => /^[0-9]$/.test(label));
  return `Draw a ${digits ? 'digit' : 'character'}`;
}

async function recognise() {
  if ($('multi').checked) await readNumber();
  else await predict();
}

// The pad's strokes, or one group of them, as the model's input; null when there is no ink.
// For a photo model: the last photo's input, null before the first.
async function preprocess(strokes = pad?.strokes) {
  await ready;
  if (!pad) return photoInput;
  return strokesToInput(pad.inPixels(strokes), metadata.preprocessing);
}

// Probabilities for a batch of inputs, each as every label with its probability, most likely first.
async function classify(inputs) {
  const { input_size: size, channels } = metadata;
  const started = performance.now();
  const batch = new Float32Array(inputs.length * size * size * channels);
  inputs.forEach((input, i) => batch.set(input, i * input.length));
  const output = tf.tidy(() => model.predict(tf.tensor4d(batch, [inputs.length, size, size, channels])));
  const probs = await output.data();
  output.dispose();
  $('inference-time').textContent = `${(performance.now() - started).toFixed(1)} ms`;
  const count = metadata.labels.length;
  return inputs.map((_, i) => metadata.labels
    .map((label, j) => ({ label, prob: probs[i * count + j] }))
    .sort((a, b) => b.prob - a.prob));
}

// The whole pad as one character: every label with its probability; [] for a blank pad or a dot.
async function predict() {
  await ready;
  if (!pad) return []; // a photo model: recognisePhoto() reads its input
  const input = pad.extent() < MIN_EXTENT ? null : await preprocess();
  if (input === null) {
    showResults([]);
    setStatus(hint());
    return [];
  }
  const [ranked] = await classify([input]);
  showResults(ranked.slice(0, TOP_K));
  const [top] = ranked;
  const unsure = top.prob < (metadata.not_sure_threshold ?? NOT_SURE);
  setStatus(unsure ? `Not sure: maybe ${top.label}?` : '');
  $('results').classList.toggle('unsure', unsure);
  return ranked;
}

// Several characters side by side, grouped by the gaps between them: the string they spell.
async function readNumber() {
  await ready;
  const groups = pad.characters().filter((strokes) => pad.extent(strokes) >= MIN_EXTENT);
  const inputs = [];
  for (const strokes of groups) inputs.push(await preprocess(strokes));
  const ranked = inputs.length ? await classify(inputs) : [];
  const best = ranked.map(([top]) => top);
  showResults(best);
  const text = best.map(({ label }) => label).join('');
  $('number').textContent = text;
  setStatus(text ? '' : hint());
  return text;
}

async function recognisePhoto(file) {
  if (!file) return;
  await ready;
  setStatus('');
  const { rgba, width, height } = await decodePhoto(file);
  photoInput = photoToInput(rgba, width, height, metadata.preprocessing);
  showPhoto(photoInput, metadata.preprocessing.size);
  const [ranked] = await classify([photoInput]);
  showResults(ranked.slice(0, TOP_K));
  return ranked;
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
  $('photo-preview').src = canvas.toDataURL();
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
  if (!$('multi').checked) $('number').textContent = '';
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

function registerServiceWorker() {
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('sw.js').catch((error) => console.warn('offline mode unavailable', error));
  }
}

window.recognizer = {
  ready,
  predict,
  preprocess: () => preprocess(),
  get strokes() { return pad?.inPixels() ?? []; }, // what was drawn, in the pad's pixels
  readNumber,
  recognisePhoto,
  get backend() { return backend; },
};
