// The recognizer: a model folder (model.json + metadata.json, as `python -m export convert` writes
// it) in, labels with their probabilities out. No DOM: any page, or a <draw-pad>, can use it.
//
//   const recognizer = await Recognizer.load('model/');
//   const { ranked, refused, adapted, ms } = await recognizer.predict(strokes); // ranked[0].label
//   await recognizer.teach(strokes, '7'); // the person's own 7: read better from now on
//   await recognizer.undo(); // taken back; taught(), remove(id) list and forget one
//   await recognizer.forget(); // the model's own answers again
//
// The model runs in a Web Worker (recognizer-worker.js), so a page stays responsive while it
// recognises; preprocessing (web/strokes.js, web/photo.js) is pure arithmetic on this thread.
// What a person teaches is kept in IndexedDB (web/personal-store.js), per model folder, and read
// back after the model has loaded: a page that never teaches reads the model's own answers.
import { charactersOf, refusal } from './characters.js';
import { checkMetadata, notSureThreshold } from './metadata.js';
import {
  addDrawing, checkHead, fitSubset, forgetTaught, readTaught, removeDrawings, setAside, writeHead,
} from './personal-store.js';
import { decodePhoto, photoToInput } from './photo.js';
import { rankLabels } from './ranking.js';
import { strokesToInput } from './strokes.js';
import { VARIATIONS, variationsOf } from './variations.js';

// A label the model lacks is read once it has this many drawings (fewer would make a guess of it).
export const NEW_LABEL_DRAWINGS = 5;
// A head is fitted on at most this many drawings, as many of each label as the others (the
// newest; one of each label when there are more labels), and their variations while they make at
// most FIT_INPUTS inputs in all (past that, the drawings alone): thousands taught fit in bounded
// time and memory (BENCHMARKS.md, "Thousands of drawings taught").
export const FIT_DRAWINGS = 200;
const FIT_INPUTS = 1800;
const RENDER_CHUNK = 50; // drawings rendered between two breaks for the page's own work

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
 * What teach() did: the drawing's `id` (for remove()), `drawings` taught in all, the `labels`
 * read now (the model's, then the person's own), how many more drawings the taught label needs
 * before it is read (`waiting`, 0: read), and how long fitting the head took in the worker
 * (`fitMs`, null: no fit).
 * @typedef {{ id: number, drawings: number, labels: string[], waiting: number,
 *   fitMs: number | null }} Taught
 */
/**
 * What teach() refuses, before anything is kept: `reason` is 'no-features' (the export cannot
 * learn), 'label' (empty, or longer than metadata.schema.json allows), 'not-strokes',
 * 'not-a-number', 'empty' or 'dot' (a single point); the message says it in one line.
 */
export class TeachRefusal extends Error {
  /** @param {string} reason @param {string} message */
  constructor(reason, message) {
    super(message);
    this.reason = reason;
  }
}
/** A drawing taught: its id (from teach()), label and strokes. @typedef {import('./personal-store.js').Drawing} Drawing */
/** @typedef {import('./personal-store.js').Head} Head */
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
 *   candidate_groups?: string[][], one_character?: boolean,
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
  /** @type {Drawing[]} every drawing taught, by id */
  #drawings = [];
  /** @type {number[]} the ids taught through this recognizer, for undo() */
  #taughtHere = [];
  /** @type {WeakMap<object, Float32Array[]>} each taught drawing's input and its variations' */
  #taughtInputs = new WeakMap();
  #longestLabel = 0; // characters: metadata.schema.json's longest label
  /** @type {BroadcastChannel | null} tabs tell each other when what is taught changed */
  #channel = null;
  #changedElsewhere = false;
  #unkeptIds = 0; // ids of drawings the store refused (a private window): -1, -2, ...
  /** @type {string[] | null} the labels of the head that gave the worker's last answer (null: none) */
  #answeredWith = null;
  /** @type {Promise<unknown>} reading back, teach(), remove(), undo(), forget(): one at a time */
  #queue = Promise.resolve();
  /** @type {string[]} the labels read now: the model's, then those of the person's own */
  labels;
  /** @type {string | null} what of what was taught before could not be used, for the page to show */
  personalNote = null;
  /**
   * Settles once what was taught on earlier visits is read back and its head in use (the model
   * reads before that, on its own); personalNote then says what could not be used.
   * @type {Promise<void>}
   */
  personal = Promise.resolve();

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
      notSureThreshold: notSureThreshold(metadata),
    }).catch((error) => {
      recognizer.dispose();
      throw error;
    });
    recognizer.#key = folderUrl;
    recognizer.#longestLabel = schema.$defs.labels.items.maxLength;
    recognizer.#listenToOtherTabs();
    recognizer.personal = recognizer.#serially(() => recognizer.#restore());
    Object.assign(recognizer, { backend, threads, loadMs: performance.now() - started });
    return recognizer;
  }

  /** The model folder's URL: the key under which the page keeps what is about this model (what
   * is taught; the keyboard's text line). */
  get modelKey() {
    return this.#key;
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
   * Teaches the recognizer one of the person's drawings: it is kept in IndexedDB, and the head it
   * reads with is fitted again to the drawings taught (in the worker, off this thread; on at most
   * FIT_DRAWINGS of them, as many of each label). `label` may be one the model lacks: it is read
   * once it has NEW_LABEL_DRAWINGS drawings. A drawing or label it cannot use is refused with a
   * TeachRefusal, before anything is kept.
   * @param {Stroke[]} strokes
   * @param {string} label
   * @returns {Promise<Taught>}
   */
  teach(strokes, label) {
    return this.#serially(async () => {
      const refused = this.#teachRefusal(strokes, label);
      if (refused) throw refused;
      const copy = strokes.map((stroke) => stroke.map(([x, y]) => /** @type {Point} */ ([x, y])));
      await this.#readOtherTabs();
      const id = await addDrawing(this.#key, label, copy).catch((error) => {
        storageWarning(error);
        return --this.#unkeptIds; // kept for this visit alone
      });
      this.#drawings.push({ id, label, strokes: copy });
      this.#taughtHere.push(id);
      const fitMs = await this.#fit();
      const drawn = this.#drawings.filter((drawing) => drawing.label === label).length;
      const waiting = this.labels.includes(label) ? 0 : NEW_LABEL_DRAWINGS - drawn;
      this.#announce();
      return { id, drawings: this.#drawings.length, labels: this.labels, waiting, fitMs };
    });
  }

  /**
   * The drawings taught, oldest first: `{ id, label, strokes }` each.
   * @returns {Drawing[]}
   */
  taught() {
    return this.#drawings.map(({ id, label, strokes }) => ({ id, label, strokes }));
  }

  /**
   * Forgets one drawing taught (by its id, from teach() or taught()), here and in IndexedDB:
   * the head is fitted again as if it had never been taught.
   * @param {number} id
   * @returns {Promise<boolean>} whether there was such a drawing
   */
  remove(id) {
    return this.#serially(() => this.#removeDrawing(id));
  }

  /**
   * Takes back the last drawing this recognizer was taught (teach() or a correction), as remove()
   * does; the one before it next time.
   * @returns {Promise<Drawing | null>} the drawing taken back, null when there is none
   */
  undo() {
    return this.#serially(async () => {
      while (this.#taughtHere.length) {
        const id = this.#taughtHere.pop();
        const drawing = this.#drawings.find((taught) => taught.id === id);
        if (drawing && await this.#removeDrawing(id)) return drawing;
      }
      return null;
    });
  }

  /** Whether undo() has a drawing to take back. @returns {boolean} */
  get canUndo() {
    return this.#taughtHere.some((id) => this.#drawings.some((drawing) => drawing.id === id));
  }

  /**
   * Forgets every drawing taught and the head fitted to them, here and in IndexedDB: the
   * recognizer gives the model's own answers again.
   * @returns {Promise<void>}
   */
  forget() {
    return this.#serially(async () => {
      this.#drawings = [];
      this.#taughtHere = [];
      await this.#useHead(null);
      await forgetTaught(this.#key).catch(storageWarning);
      this.#announce();
    });
  }

  /** How many drawings the recognizer has been taught. @returns {number} */
  get taughtDrawings() {
    return this.#drawings.length;
  }

  /**
   * Reads several characters side by side: one ranking each, left to right (dots and scribbles
   * left out). A model whose metadata says `one_character` reads every stroke as one character,
   * whatever gaps they leave (川, 八).
   * @param {Stroke[]} strokes
   * @param {{ areaSide?: number, margin?: number }} [options] `margin`: how far apart, in the
   *   strokes' unit, two strokes may be and still be one character (half the pen's width)
   * @returns {Promise<Ranked[][]>}
   */
  async readCharacters(strokes, { areaSide, margin = 0 } = {}) {
    const characters = charactersOf(strokes, { oneCharacter: this.metadata.one_character, margin })
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
    this.#channel?.close();
  }

  #listenToOtherTabs() {
    if (typeof BroadcastChannel === 'undefined') return;
    this.#channel = new BroadcastChannel('drawrecog-personal');
    this.#channel.onmessage = ({ data }) => {
      if (data === this.#key) this.#changedElsewhere = true;
    };
  }

  get #strokesRecipe() {
    return /** @type {StrokesRecipe} */ (this.metadata.preprocessing);
  }

  // What was taught on an earlier visit, read after the model has loaded (the model reads at
  // once, the head follows): its head when it was fitted to this model and these drawings, else
  // the drawings fitted again. A damaged drawing or head is set aside alone, and personalNote
  // says so; a page that cannot fit says so too, and reads with the model alone.
  async #restore() {
    if (!this.metadata.outputs) return;
    const stored = await readTaught(this.#key).catch(storageWarning);
    if (!stored) return;
    const notes = [];
    this.#drawings = stored.drawings;
    if (stored.damaged.length) notes.push(damagedNote(stored.damaged));
    const head = checkHead(stored.head, this.#modelFacts, this.#drawings.map(({ id }) => id));
    if (typeof head === 'string') {
      notes.push(`The head fitted to your drawings was damaged (${head}): set aside, and fitted again.`);
      await setAside(this.#key, { kind: 'head', problem: head, item: stored.head }).catch(storageWarning);
    }
    try {
      if (head && typeof head !== 'string') await this.#useHead(head);
      else if (this.#drawings.length) await this.#fit();
    } catch (error) {
      await this.#useHead(null).catch(() => {});
      notes.push(`Your ${this.#drawings.length} drawings cannot be learnt from here (${error.message}): `
        + 'the model reads on its own. They are kept.');
    }
    this.personalNote = notes.join(' ') || null;
  }

  get #modelFacts() {
    const { model_hash: modelHash, feature_size: featureSize, pooled_size: pooledSize } = this.metadata;
    return { modelHash, featureSize, pooledSize };
  }

  /** @param {number} id @returns {Promise<boolean>} */
  async #removeDrawing(id) {
    await this.#readOtherTabs();
    if (!this.#drawings.some((drawing) => drawing.id === id)) return false;
    await removeDrawings([id]).catch(storageWarning);
    this.#drawings = this.#drawings.filter((drawing) => drawing.id !== id);
    await this.#fit();
    this.#announce();
    return true;
  }

  // Another tab changed what is taught (#announce): read the store again before changing it.
  async #readOtherTabs() {
    if (!this.#changedElsewhere) return;
    this.#changedElsewhere = false;
    const stored = await readTaught(this.#key).catch(storageWarning);
    if (stored) this.#drawings = stored.drawings;
  }

  #announce() {
    this.#channel?.postMessage(this.#key);
  }

  // Fits a head to the drawings of the labels it can read (the model's, and the person's own
  // with NEW_LABEL_DRAWINGS drawings; at most FIT_DRAWINGS of them, fitSubset()), uses it and
  // keeps it. Returns the fit's time in ms.
  async #fit() {
    const labels = [...this.metadata.labels, ...newLabels(this.#drawings, this.metadata.labels)];
    const usable = fitSubset(this.#drawings.filter(({ label }) => labels.includes(label)), FIT_DRAWINGS);
    const fittedOn = this.#drawings.map(({ id }) => id);
    if (!usable.length) {
      await this.#useHead(null);
      await writeHead(this.#key, null).catch(storageWarning);
      return null;
    }
    // The drawings first, then their variations, while there are few enough
    const variations = usable.length * (1 + VARIATIONS) <= FIT_INPUTS ? VARIATIONS : 0;
    const inputs = [];
    for (const drawing of usable) {
      inputs.push(this.#inputsOf(drawing).slice(0, 1 + variations));
      if (inputs.length % RENDER_CHUNK === 0) await nextTask(); // drawing on the page stays smooth
    }
    const ordered = [...inputs.map(([drawing]) => drawing), ...inputs.flatMap(([, ...varied]) => varied)];
    const batch = stacked(ordered);
    const drawingTargets = usable.map(({ label }) => labels.indexOf(label));
    const { rows, bias, drawn, drawnLabels, drawnAlike, sureUpTo, ms } = await this.#request('fit', {
      batch, shape: [ordered.length, ...this.inputShape], labels, drawings: usable.length,
      ids: usable.map(({ id }) => id), variations,
      targets: [...drawingTargets, ...drawingTargets.flatMap((target) => Array(variations).fill(target))],
    }, [batch.buffer]);
    this.labels = labels;
    const head = { modelHash: this.metadata.model_hash, labels, rows, bias, drawn, drawnLabels,
      drawnAlike, sureUpTo, fittedOn };
    await writeHead(this.#key, head).catch(storageWarning);
    return ms;
  }

  // A taught drawing's input and its variations' (web/variations.js), each rendered once. The
  // variations are seeded by the drawing's id, so a refit gives the same whatever else is taught.
  /** @param {Drawing} drawing @returns {Float32Array[]} */
  #inputsOf(drawing) {
    let inputs = this.#taughtInputs.get(drawing);
    if (!inputs) {
      inputs = [drawing.strokes, ...variationsOf(drawing.strokes, drawing.id)]
        .map((strokes) => /** @type {Float32Array} */ (this.preprocess(strokes)));
      this.#taughtInputs.set(drawing, inputs);
    }
    return inputs;
  }

  /** @param {Head | null} head */
  async #useHead(head) {
    const fitted = head && { labels: head.labels, rows: head.rows, bias: head.bias,
      drawn: head.drawn, drawnLabels: head.drawnLabels, drawnAlike: head.drawnAlike,
      sureUpTo: head.sureUpTo };
    await this.#request('useHead', { fitted });
    this.labels = head?.labels ?? this.metadata.labels;
  }

  // Why `label` and `strokes` cannot be taught (null: they can).
  /** @param {Stroke[]} strokes @param {string} label @returns {TeachRefusal | null} */
  #teachRefusal(strokes, label) {
    if (!this.metadata.outputs) {
      return new TeachRefusal('no-features', `${this.metadata.name}: this export has no features output to learn from: export it again`);
    }
    if (typeof label !== 'string' || !label.trim()) return new TeachRefusal('label', 'teach(): the label must be a non-empty string');
    if (label.length > this.#longestLabel) {
      return new TeachRefusal('label', `teach(): a label is at most ${this.#longestLabel} characters (this one has ${label.length})`);
    }
    const points = Array.isArray(strokes) && strokes.every(Array.isArray) ? strokes.flat() : null;
    if (!points?.every((point) => Array.isArray(point) && point.length === 2)) {
      return new TeachRefusal('not-strokes', 'teach(): the strokes must be lists of [x, y] points');
    }
    if (!points.every((point) => point.every(Number.isFinite))) {
      return new TeachRefusal('not-a-number', 'teach(): a point of the drawing is not a finite number');
    }
    if (!points.length) return new TeachRefusal('empty', 'teach(): nothing is drawn');
    if (points.every(([x, y]) => x === points[0][0] && y === points[0][1])) {
      return new TeachRefusal('dot', 'teach(): the drawing is a single point');
    }
    return null;
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
    const { probs, labels: changed, ms } = await this.#request('classify', {
      batch, shape: [inputs.length, ...this.inputShape],
    }, [batch.buffer]);
    if (changed !== undefined) this.#answeredWith = changed; // sent only when they change
    const labels = this.#answeredWith ?? this.metadata.labels; // the head that answered, if one did
    const count = labels.length;
    const ranked = inputs.map((_, i) => rankLabels(
      labels, probs.subarray(i * count, (i + 1) * count)));
    return { ranked, adapted: this.#answeredWith !== null, modelMs: ms };
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
function newLabels(drawings, modelLabels) {
  const counts = new Map();
  for (const { label } of drawings) {
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

// What restoring set aside, in one sentence naming each item (the first few).
function damagedNote(damaged) {
  const named = damaged.slice(0, 3).map(({ item, problem }) => {
    const { id, label } = /** @type {any} */ (item) ?? {};
    return `${typeof label === 'string' ? `a drawing of ${JSON.stringify(label.slice(0, 20))}` : 'a drawing'}`
      + `${Number.isInteger(id) ? ` (#${id})` : ''}: ${problem}`;
  });
  const more = damaged.length > 3 ? `, and ${damaged.length - 3} more` : '';
  return `${damaged.length} taught drawing${damaged.length === 1 ? ' was' : 's were'} damaged and set aside `
    + `(${named.join('; ')}${more}); the rest are read. "Download set-aside" keeps them.`;
}

function nextTask() {
  return new Promise((resolve) => { setTimeout(resolve, 0); });
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
