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

// The types of the API (docs/recognizer.md), checked by `tsc` in `make check`.
/** A point, `[x, y]`, y down, in any one unit. @typedef {[number, number]} Point */
/** One stroke: its points in the order drawn. @typedef {Point[]} Stroke */
/** A label and its probability. @typedef {{ label: string, prob: number }} Ranked */
/**
 * Why a drawing was not read: `reason` is 'empty', 'dot', 'too-many-strokes' or 'too-much-ink';
 * `message` says it to a person.
 * @typedef {{ reason: string, message: string }} Refusal
 */
/** Milliseconds spent. @typedef {{ preprocess: number, model: number, total: number }} Timings */
/**
 * A reading: every label, most likely first (`[]` when refused).
 * @typedef {{ ranked: Ranked[], refused: Refusal | null, ms: Timings }} Answer
 */
/** A photo's reading, with the model's input. @typedef {Answer & { input: Float32Array }} PhotoAnswer */
/**
 * A drawing model's preprocessing recipe (trainer/preprocess.py's Recipe).
 * @typedef {{ kind: 'strokes-box-com', size: number, box: number, pen: number,
 *   oversample: number, max_strokes: number }} StrokesRecipe
 */
/** A photo model's (PhotoRecipe). @typedef {{ kind: 'photo-centre-crop', size: number }} PhotoRecipe */
/**
 * What the recognizer reads of metadata.json (python -m export writes it).
 * @typedef {{ labels: string[], input_size: number, channels: number, backends: string[],
 *   input: 'drawing' | 'photo', preprocessing: StrokesRecipe | PhotoRecipe,
 *   ink_limit?: number }} Metadata
 */

export class Recognizer {
  /** The TF.js backend the model runs on ('wasm', 'webgl' or 'cpu'). @type {string} */
  backend;
  /** The wasm backend's threads (null on other backends). @type {number | null} */
  threads;
  /** How long load() took, in ms. @type {number} */
  loadMs;
  #worker;
  #requests = new Map(); // request id -> { resolve, reject }
  #nextId = 0;

  /**
   * Loads an exported model; rejects with an Error naming the file when it cannot.
   * @param {string} folder the model folder's URL (relative to the page, or absolute)
   * @param {{ backends?: string[] }} [options] TF.js backends to try first, in order; the rest
   *   of the metadata's list follows
   * @returns {Promise<Recognizer>}
   */
  static async load(folder, { backends = [] } = {}) {
    const folderName = folder.endsWith('/') ? folder : `${folder}/`; // errors name files by it
    const folderUrl = new URL(folderName, globalThis.location?.href).href;
    const metadata = await fetchJson(new URL('metadata.json', folderUrl), `${folderName}metadata.json`);
    checkMetadata(metadata, `${folderName}metadata.json`);
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

  /** @param {Metadata} metadata checked metadata.json (use load(), which checks it) */
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

  /** The model's input: [size, size, channels]. @returns {number[]} */
  get inputShape() {
    const { input_size: size, channels } = this.metadata;
    return [size, size, channels];
  }

  /**
   * The strokes as the model's input, or null when there is no point.
   * @param {Stroke[]} strokes
   * @returns {Float32Array | null}
   */
  preprocess(strokes) {
    return strokesToInput(strokes, this.#strokesRecipe);
  }

  /**
   * Reads one character.
   * @param {Stroke[]} strokes
   * @param {{ areaSide?: number }} [options] `areaSide`: the drawing area's shorter side in the
   *   strokes' unit, so that a dot is told from a character (left out: no dot check)
   * @returns {Promise<Answer>}
   */
  async predict(strokes, { areaSide } = {}) {
    const started = performance.now();
    const input = this.preprocess(strokes);
    const preprocessed = performance.now();
    const refused = refusal(strokes, input, this.#limits(), areaSide);
    if (refused) return { ranked: [], refused, ms: timings(started, preprocessed, 0) };
    const { ranked: [ranked], modelMs } = await this.#classify([input]);
    return { ranked, refused: null, ms: timings(started, preprocessed, modelMs) };
  }

  /**
   * Reads several characters side by side: one ranking each, left to right (dots and scribbles
   * left out).
   * @param {Stroke[]} strokes
   * @param {{ areaSide?: number, margin?: number }} [options] `margin`: how far apart, in the
   *   strokes' unit, two strokes may be and still be one character (half the pen's width)
   * @returns {Promise<Ranked[][]>}
   */
  async readCharacters(strokes, { areaSide, margin = 0 } = {}) {
    const characters = splitCharacters(strokes, margin)
      .map((group) => ({ group, input: this.preprocess(group) }))
      .filter(({ group, input }) => !refusal(group, input, this.#limits(), areaSide));
    if (!characters.length) return [];
    const { ranked } = await this.#classify(characters.map(({ input }) => input));
    return ranked;
  }

  /**
   * Reads a photo, for a model whose metadata says `"input": "photo"`.
   * @param {Blob} file an image file (a File from an <input type="file"> is a Blob)
   * @returns {Promise<PhotoAnswer>}
   */
  async recognisePhoto(file) {
    const started = performance.now();
    const { rgba, width, height } = await decodePhoto(file);
    const input = photoToInput(rgba, width, height, this.metadata.preprocessing);
    const preprocessed = performance.now();
    const { ranked: [ranked], modelMs } = await this.#classify([input]);
    return { ranked, refused: null, input, ms: timings(started, preprocessed, modelMs) };
  }

  /** Ends the model's worker; the recognizer cannot be used after. @returns {void} */
  dispose() {
    this.#worker.terminate();
  }

  get #strokesRecipe() {
    return /** @type {StrokesRecipe} */ (this.metadata.preprocessing);
  }

  #limits() {
    return { maxStrokes: this.#strokesRecipe.max_strokes, inkLimit: this.metadata.ink_limit };
  }

  /**
   * Inputs -> for each, every label with its probability, most likely first.
   * @param {Float32Array[]} inputs
   * @returns {Promise<{ ranked: Ranked[][], modelMs: number }>}
   */
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
