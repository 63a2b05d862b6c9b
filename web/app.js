// The page: load the graph model, let the user draw, show the top guesses.
import { canvasToInput } from './preprocess.js';

const MODEL_URL = 'model/model.json';
const METADATA_URL = 'model/metadata.json';
const TOP_K = 3;

const pad = document.getElementById('pad');
const context = pad.getContext('2d', { willReadFrequently: true });
const results = document.getElementById('results');
const status = document.getElementById('status');
const modelInfo = document.getElementById('model-info');

let model = null;
let metadata = null;

const ready = loadModel();
ready.catch((error) => showError(`The model failed to load: ${error.message}`));

async function loadModel() {
  const backend = new URLSearchParams(location.search).get('backend');
  if (backend) await tf.setBackend(backend);
  await tf.ready();
  const started = performance.now();
  const response = await fetch(METADATA_URL);
  if (!response.ok) throw new Error(`${METADATA_URL}: HTTP ${response.status}`);
  metadata = await response.json();
  model = await tf.loadGraphModel(MODEL_URL);
  // The first run compiles kernels; do it now rather than on the user's first stroke.
  const { input_size: size, channels } = metadata;
  tf.tidy(() => model.predict(tf.zeros([1, size, size, channels]))).dispose();
  const elapsed = Math.round(performance.now() - started);
  modelInfo.textContent =
    `${metadata.name}: ${metadata.labels.length} labels, ${tf.getBackend()} backend, loaded in ${elapsed} ms`;
}

// The pad's pixels as the model's input (Float32Array), or null when nothing is drawn.
async function preprocess() {
  await ready;
  const pixels = tf.browser.fromPixels(pad, 1);
  const gray = await pixels.data();
  pixels.dispose();
  return canvasToInput(gray, pad.width, pad.height, metadata.preprocessing);
}

// All labels with their probabilities, most likely first; [] for an empty pad.
async function predict() {
  const input = await preprocess();
  if (input === null) {
    showResults([]);
    return [];
  }
  const { input_size: size, channels } = metadata;
  const output = tf.tidy(() => model.predict(tf.tensor4d(input, [1, size, size, channels])));
  const probs = await output.data();
  output.dispose();
  const ranked = metadata.labels
    .map((label, i) => ({ label, prob: probs[i] }))
    .sort((a, b) => b.prob - a.prob);
  showResults(ranked.slice(0, TOP_K));
  return ranked;
}

function showResults(top) {
  results.replaceChildren(...top.map(({ label, prob }) => {
    const item = document.createElement('li');
    item.dataset.label = label;
    item.dataset.prob = prob.toFixed(4);
    const name = document.createElement('span');
    name.textContent = label;
    const value = document.createElement('span');
    value.textContent = `${(prob * 100).toFixed(1)}%`;
    item.append(name, value);
    return item;
  }));
}

function showError(message) {
  status.textContent = message;
  status.classList.add('error');
  modelInfo.textContent = '';
}

function clearPad() {
  context.fillStyle = '#fff';
  context.fillRect(0, 0, pad.width, pad.height);
  showResults([]);
}

// Drawing: pointer events cover mouse, touch and pen alike.
function padPoint(event) {
  const box = pad.getBoundingClientRect();
  return [
    (event.clientX - box.left) * (pad.width / box.width),
    (event.clientY - box.top) * (pad.height / box.height),
  ];
}

let drawing = false;
let last = null;

pad.addEventListener('pointerdown', (event) => {
  if (!metadata) return; // the pen width comes with the model
  drawing = true;
  pad.setPointerCapture(event.pointerId);
  last = padPoint(event);
  drawSegment(last, last);
});

pad.addEventListener('pointermove', (event) => {
  if (!drawing) return;
  const point = padPoint(event);
  drawSegment(last, point);
  last = point;
});

function drawSegment([x0, y0], [x1, y1]) {
  context.lineWidth = pad.width * metadata.preprocessing.stroke_fraction;
  context.lineCap = 'round';
  context.strokeStyle = '#000';
  context.beginPath();
  context.moveTo(x0, y0);
  context.lineTo(x1, y1);
  context.stroke();
}

function endStroke() {
  if (!drawing) return;
  drawing = false;
  predict();
}
pad.addEventListener('pointerup', endStroke);
pad.addEventListener('pointercancel', endStroke);

document.getElementById('clear').addEventListener('click', clearPad);

clearPad();
window.recognizer = { ready, predict, preprocess };
