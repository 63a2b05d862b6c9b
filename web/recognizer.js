// The recognizer: a model folder (model.json + metadata.json, as `python -m export convert` writes
// it) in, labels with their probabilities out. No DOM: any page, or a <draw-pad>, can use it.
//
//   const recognizer = await Recognizer.load('model/');
//   const { ranked, refused, ms } = await recognizer.predict(strokes); // ranked[0].label
//
// The model runs in a Web Worker (recognizer-worker.js), so a page stays responsive while it
// recognises; preprocessing (web/strokes.js, web/preprocess.js) is pure arithmetic on this thread.
import { refusal, splitCharacters } from './characters.js';
import { checkMetadata } from './metadata.js';
import { decodePhoto, photoToInput } from './preprocess.js';
import { rankLabels } from './ranking.js';
import { strokesToInput } from './strokes.js';

const SCHEMA_URL = new URL('./metadata.schema.json', import.meta.url);

export class Recognizer {
  #worker;
  #requests = new Map(); // request id -> { resolve, reject }
  #nextId = 0;

  // `folder`: the model folder's URL (relative to the page, or absolute). `backends`: TF.js
  // backends to try first, in order; the rest of the metadata's list follows.
  static async load(folder, { backends = [] } = {}) {
    const folderName = folder.endsWith('/') ? folder : `${folder}/`; // errors name files by it
    const folderUrl = new URL(folderName, globalThis.location?.href).href;
    const [metadata, schema] = await Promise.all([
      fetchJson(new URL('metadata.json', folderUrl), `${folderName}metadata.json`),
      fetchJson(SCHEMA_URL, 'metadata.schema.json'),
    ]);
    checkMetadata(metadata, schema, `${folderName}metadata.json`);
    const recognizer = new Recognizer(metadata);
    const started = performance.now();
    const { backend, threads } = await recognizer.#request('load', {
      folderUrl,
      folderName,
      backends: [...backends, ...metadata.backends.filter((name) => !backends.includes(name))],
      inputShape: [1, ...recognizer.inputShape],
      labelCount: metadata.labels.length,
    }).catch((error) => {
      recognizer.dispose();
      throw error;
    });
    Object.assign(recognizer, { backend, threads, loadMs: performance.now() - started });
    return recognizer;
  }

  constructor(metadata) {
    this.metadata = metadata;
    this.labels = metadata.labels;
    const workerUrl = new URL('./recognizer-worker.js', import.meta.url);
    this.#worker = new Worker(workerUrl);
    this.#worker.onerror = (event) => { // the worker itself failed, e.g. its script is missing
      for (const { reject } of this.#requests.values()) reject(new Error(`${workerUrl}: ${event.message ?? 'failed to start'}`));
      this.#requests.clear();
    };
    this.#worker.onmessage = ({ data: { id, result, error } }) => {
      const { resolve, reject } = this.#requests.get(id);
      this.#requests.delete(id);
      if (error === undefined) resolve(result);
      else reject(new Error(error));
    };
  }

  get inputShape() {
    const { input_size: size, channels } = this.metadata;
    return [size, size, channels];
  }

  // The strokes as the model's input (Float32Array), or null when there is no point.
  preprocess(strokes) {
    return strokesToInput(strokes, this.metadata.preprocessing);
  }

  // One character. `strokes`: arrays of [x, y] points, y down, in any one unit; `areaSide`: the
  // drawing area's shorter side in that unit, so a dot is told from a character (optional).
  // Returns { ranked: every label with its probability, most likely first, refused: null or
  // { reason, message } (then ranked is []), ms: { preprocess, model, total } }.
  async predict(strokes, { areaSide } = {}) {
    const started = performance.now();
    const input = this.preprocess(strokes);
    const preprocessed = performance.now();
    const refused = refusal(strokes, input, this.#limits(), areaSide);
    if (refused) return { ranked: [], refused, ms: timings(started, preprocessed, 0) };
    const { ranked: [ranked], modelMs } = await this.#classify([input]);
    return { ranked, refused: null, ms: timings(started, preprocessed, modelMs) };
  }

  // Several characters side by side, left to right: one reading each (dots and scribbles left
  // out). `margin`: how far apart, in the strokes' unit, two strokes may be and still be one
  // character (half the pen's width on screen).
  async readCharacters(strokes, { areaSide, margin = 0 } = {}) {
    const characters = splitCharacters(strokes, margin)
      .map((group) => ({ group, input: this.preprocess(group) }))
      .filter(({ group, input }) => !refusal(group, input, this.#limits(), areaSide));
    if (!characters.length) return [];
    const { ranked } = await this.#classify(characters.map(({ input }) => input));
    return ranked;
  }

  // A photo model: a File or Blob of an image. Returns predict()'s answer and the model's input.
  async recognisePhoto(file) {
    const started = performance.now();
    const { rgba, width, height } = await decodePhoto(file);
    const input = photoToInput(rgba, width, height, this.metadata.preprocessing);
    const preprocessed = performance.now();
    const { ranked: [ranked], modelMs } = await this.#classify([input]);
    return { ranked, refused: null, input, ms: timings(started, preprocessed, modelMs) };
  }

  dispose() {
    this.#worker.terminate();
  }

  #limits() {
    return { maxStrokes: this.metadata.preprocessing.max_strokes, inkLimit: this.metadata.ink_limit };
  }

  // Inputs -> for each, every label with its probability, most likely first.
  async #classify(inputs) {
    const batch = new Float32Array(inputs.length * inputs[0].length);
    inputs.forEach((input, i) => batch.set(input, i * input.length));
    const { probs, ms } = await this.#request('classify', {
      batch, shape: [inputs.length, ...this.inputShape],
    }, [batch.buffer]);
    const count = this.labels.length;
    const ranked = inputs.map((_, i) => rankLabels(
      this.labels, probs.subarray(i * count, (i + 1) * count)));
    return { ranked, modelMs: ms };
  }

  #request(type, message, transfer = []) {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#requests.set(id, { resolve, reject });
      this.#worker.postMessage({ id, type, ...message }, transfer);
    });
  }
}

function timings(started, preprocessed, modelMs) {
  const total = performance.now() - started;
  return { preprocess: preprocessed - started, model: modelMs, total };
}

async function fetchJson(url, name) {
  let response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new Error(`${name}: ${error.message}`);
  }
  if (!response.ok) throw new Error(`${name}: HTTP ${response.status}`);
  try {
    return await response.json();
  } catch {
    throw new Error(`${name}: not JSON`);
  }
}
