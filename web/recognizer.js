// The recognizer: a model folder (model.json + metadata.json, as `python -m export convert` writes
// it) in, labels with their probabilities out. No DOM: any page, or a <draw-pad>, can use it.
//
//   const recognizer = await Recognizer.load('model/');
//   const { ranked, refused, adapted, ms } = await recognizer.predict(strokes); // ranked[0].label
//   await recognizer.teach(strokes, '7'); // the person's own 7: read better from now on
//   await recognizer.forget(); // the model's own answers again
//
// The model runs in a Web Worker (recognizer-worker.js), so a page stays responsive while it
// recognises; preprocessing (web/strokes.js, web/preprocess.js) is pure arithmetic on this thread.
// What a person teaches is kept in IndexedDB (web/personal-store.js), per model folder: a page
// that never teaches reads the model's own answers, as before.
import { refusal, splitCharacters } from './characters.js';
import { checkMetadata } from './metadata.js';
import { checkPersonal, deletePersonal, readPersonal, writePersonal } from './personal-store.js';
import { decodePhoto, photoToInput } from './preprocess.js';
import { rankLabels } from './ranking.js';
import { strokesToInput } from './strokes.js';
import { VARIATIONS, variationsOf } from './variations.js';

// A label the model lacks is read once it has this many drawings (fewer would make a guess of it).
export const NEW_LABEL_DRAWINGS = 5;

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
 * A reading: every label, most likely first (`[]` when refused); `adapted`: whether a head fitted
 * to the person's own drawings read it.
 * @typedef {{ ranked: Ranked[], refused: Refusal | null, adapted: boolean, ms: Timings }} Answer
 */
/**
 * What teach() did: `drawings` taught in all, the `labels` read now (the model's, then the
 * person's own), how many more drawings the taught label needs before it is read (`waiting`, 0:
 * read), and how long fitting the head took in the worker (`fitMs`, null: no fit).
 * @typedef {{ drawings: number, labels: string[], waiting: number, fitMs: number | null }} Taught
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
 *   ink_limit?: number, model_hash?: string, name?: string, feature_size?: number,
 *   pooled_size?: number, outputs?: { probabilities: string, features: string, pooled: string },
 *   output_layer?: { kernel: string, bias: string },
 *   references?: { labels: number[], scale: number, features: string } }} Metadata
 */
const SCHEMA_URL = new URL('./metadata.schema.json', import.meta.url);

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
  #key = ''; // where what is taught is kept: the model folder's URL
  /** @type {import('./personal-store.js').Example[]} */
  #examples = [];
  /** @type {WeakMap<object, Float32Array[]>} each taught drawing's input and its variations' */
  #taughtInputs = new WeakMap();
  /** @type {Promise<unknown>} teach() and forget(), one after the other */
  #queue = Promise.resolve();
  /** @type {string[]} the labels read now: the model's, then those of the person's own */
  labels;
  /** @type {string | null} why what was taught before could not be used, for the page to show */
  personalNote = null;

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
      outputNames: metadata.outputs,
      outputLayer: metadata.output_layer,
      pooled: metadata.pooled_size,
      referenceDrawings: metadata.references,
    }).catch((error) => {
      recognizer.dispose();
      throw error;
    });
    recognizer.#key = folderUrl;
    await recognizer.#restore();
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
    if (refused) return { ranked: [], refused, adapted: false, ms: timings(started, preprocessed, 0) };
    const { ranked: [ranked], adapted, modelMs } = await this.#classify([input]);
    return { ranked, refused: null, adapted, ms: timings(started, preprocessed, modelMs) };
  }

  /**
   * Teaches the recognizer one of the person's drawings: the head it reads with is fitted again
   * to every drawing taught (in the worker, off this thread), and kept in IndexedDB. `label` may
   * be one the model lacks: it is read once it has NEW_LABEL_DRAWINGS drawings.
   * @param {Stroke[]} strokes
   * @param {string} label
   * @returns {Promise<Taught>}
   */
  teach(strokes, label) {
    return this.#serially(async () => {
      if (!this.metadata.outputs) {
        throw new Error(`${this.metadata.name}: this export has no features output to learn from: export it again`);
      }
      if (typeof label !== 'string' || !label) throw new Error('teach(): the label must be a non-empty string');
      if (!this.preprocess(strokes)) throw new Error('teach(): nothing is drawn');
      this.#examples.push({ label, strokes: strokes.map((stroke) => stroke.map(([x, y]) => [x, y])) });
      const fitMs = await this.#fit();
      const drawn = this.#examples.filter((example) => example.label === label).length;
      const waiting = this.labels.includes(label) ? 0 : NEW_LABEL_DRAWINGS - drawn;
      return { drawings: this.#examples.length, labels: this.labels, waiting, fitMs };
    });
  }

  /**
   * Forgets every drawing taught and the head fitted to them, here and in IndexedDB: the
   * recognizer gives the model's own answers again.
   * @returns {Promise<void>}
   */
  forget() {
    return this.#serially(async () => {
      this.#examples = [];
      await this.#useHead(null);
      await deletePersonal(this.#key).catch(storageWarning);
    });
  }

  /** How many drawings the recognizer has been taught. @returns {number} */
  get taughtDrawings() {
    return this.#examples.length;
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
    const { ranked: [ranked], adapted, modelMs } = await this.#classify([input]);
    return { ranked, refused: null, adapted, input, ms: timings(started, preprocessed, modelMs) };
  }

  /** Ends the model's worker; the recognizer cannot be used after. @returns {void} */
  dispose() {
    this.#worker.terminate();
  }

  get #strokesRecipe() {
    return /** @type {StrokesRecipe} */ (this.metadata.preprocessing);
  }

  // What was taught on an earlier visit: its head when it was fitted to this model, else the
  // drawings fitted again. A damaged entry is dropped, and personalNote says so.
  async #restore() {
    if (!this.metadata.outputs) return;
    const stored = await readPersonal(this.#key).catch(storageWarning);
    if (stored === undefined) return;
    const personal = checkPersonal(stored, {
      modelHash: this.metadata.model_hash, featureSize: this.metadata.feature_size,
      pooledSize: this.metadata.pooled_size,
    });
    if (typeof personal === 'string') {
      this.personalNote = `The handwriting taught in this browser was damaged (${personal}) and has `
        + 'been dropped: the model reads on its own. Teach it again.';
      await deletePersonal(this.#key).catch(storageWarning);
      return;
    }
    this.#examples = personal.examples;
    if (personal.head) await this.#useHead(personal.head);
    else await this.#fit();
  }

  // Fits a head to the drawings of the labels it can read (the model's, and the person's own
  // with NEW_LABEL_DRAWINGS drawings), uses it and keeps it. Returns the fit's time in ms.
  async #fit() {
    const labels = [...this.metadata.labels, ...newLabels(this.#examples, this.metadata.labels)];
    const usable = this.#examples.filter(({ label }) => labels.includes(label));
    if (!usable.length) {
      await this.#useHead(null);
      await this.#keep(null);
      return null;
    }
    // The drawings first, then their variations
    const inputs = usable.map((example) => this.#inputsOf(example));
    const ordered = [...inputs.map(([drawing]) => drawing), ...inputs.flatMap(([, ...variations]) => variations)];
    const batch = stacked(ordered);
    const drawingTargets = usable.map(({ label }) => labels.indexOf(label));
    const { rows, bias, drawn, drawnLabels, drawnAlike, sureUpTo, ms } = await this.#request('fit', {
      batch, shape: [ordered.length, ...this.inputShape], labels, drawings: usable.length,
      targets: [...drawingTargets, ...drawingTargets.flatMap((target) => Array(VARIATIONS).fill(target))],
    }, [batch.buffer]);
    this.labels = labels;
    await this.#keep({ modelHash: this.metadata.model_hash, labels, rows, bias, drawn, drawnLabels,
      drawnAlike, sureUpTo });
    return ms;
  }

  // A taught drawing's input and its variations' (web/variations.js), each rendered once. The
  // variations are seeded by the drawing's place among those taught, so a refit gives the same.
  /** @param {import('./personal-store.js').Example} example @returns {Float32Array[]} */
  #inputsOf(example) {
    let inputs = this.#taughtInputs.get(example);
    if (!inputs) {
      const seed = this.#examples.indexOf(example) + 1;
      inputs = [example.strokes, ...variationsOf(example.strokes, seed)]
        .map((strokes) => /** @type {Float32Array} */ (this.preprocess(strokes)));
      this.#taughtInputs.set(example, inputs);
    }
    return inputs;
  }

  /** @param {import('./personal-store.js').Head | null} head */
  async #useHead(head) {
    const fitted = head && { labels: head.labels, rows: head.rows, bias: head.bias,
      drawn: head.drawn, drawnLabels: head.drawnLabels, drawnAlike: head.drawnAlike,
      sureUpTo: head.sureUpTo };
    await this.#request('useHead', { fitted });
    this.labels = head?.labels ?? this.metadata.labels;
  }

  /** @param {import('./personal-store.js').Head | null} head */
  async #keep(head) {
    await writePersonal(this.#key, { examples: this.#examples, head }).catch(storageWarning);
  }

  /** @template T @param {() => Promise<T>} task @returns {Promise<T>} */
  #serially(task) {
    const done = this.#queue.then(task);
    this.#queue = done.catch(() => {});
    return done;
  }

  #limits() {
    return { maxStrokes: this.#strokesRecipe.max_strokes, inkLimit: this.metadata.ink_limit };
  }

  /**
   * Inputs -> for each, every label with its probability, most likely first.
   * @param {Float32Array[]} inputs
   * @returns {Promise<{ ranked: Ranked[][], adapted: boolean, modelMs: number }>}
   */
  async #classify(inputs) {
    const batch = stacked(inputs);
    const { probs, labels: headLabels, ms } = await this.#request('classify', {
      batch, shape: [inputs.length, ...this.inputShape],
    }, [batch.buffer]);
    const labels = headLabels ?? this.metadata.labels; // the head that answered, if one did
    const count = labels.length;
    const ranked = inputs.map((_, i) => rankLabels(
      labels, probs.subarray(i * count, (i + 1) * count)));
    return { ranked, adapted: headLabels !== null, modelMs: ms };
  }

  #request(type, message, transfer = []) {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#requests.set(id, { resolve, reject });
      this.#worker.postMessage({ id, type, ...message }, transfer);
    });
  }
}

// Model inputs, one after the other in one array: a batch for the worker.
function stacked(inputs) {
  const batch = new Float32Array(inputs.length * inputs[0].length);
  inputs.forEach((input, i) => batch.set(input, i * input.length));
  return batch;
}

// The person's own labels with enough drawings to be read, in the order they were first taught.
function newLabels(examples, modelLabels) {
  const counts = new Map();
  for (const { label } of examples) {
    if (!modelLabels.includes(label)) counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  return [...counts].filter(([, count]) => count >= NEW_LABEL_DRAWINGS).map(([label]) => label);
}

// IndexedDB may be missing or refused (a private window, a full disk): what is taught then lasts
// as long as the page.
function storageWarning(error) {
  console.warn('what is taught cannot be kept in this browser', error);
  return undefined;
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
