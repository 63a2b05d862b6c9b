// The model, off the page's main thread: drawing stays smooth while a large model runs.
// A classic worker, because vendor/tf.js is a classic script (tfjs/tf.js). recognizer.js is its
// only caller: 'load' once, then 'classify' batches of model inputs; 'fit' a personal head on a
// person's drawings (or 'useHead' one fitted before), which then reads in the output layer's place.
importScripts('vendor/tf.js');
importScripts('personal-head.js'); // fitHead, headProbabilities

let model = null;
let outputs = null; // metadata.json's output names, null for an export of probabilities alone
let base = null; // the output layer: { rows: Float32Array, one row of weights a label, bias, size }
let pooledSize = null; // the pooled features' length (metadata.json's pooled_size)
let head = null; // the personal head (web/personal-head.js); null: the model's own answers
let references = null; // metadata.json's reference drawings: { features, labels }, or null
let notSure = null; // the top probability below which the page says "not sure"

const HANDLERS = { load, classify, fit, useHead };

self.onmessage = async ({ data: { id, type, ...request } }) => {
  try {
    const result = await HANDLERS[type](request);
    self.postMessage({ id, result }, result?.probs ? [result.probs.buffer] : []);
  } catch (error) {
    self.postMessage({ id, error: error.message });
  }
};

// Reads the model's files once, then tries the backends in order (each falls back to the next);
// the model is warmed up on the one that works, and its output size checked against the labels.
// `folderUrl`: the model folder's address; `folderName`: as the page gave it, to name files by.
// `outputNames`, `outputLayer`, `pooled`: metadata.json's "outputs", "output_layer" and
// "pooled_size" (absent from exports made before the model had feature outputs; such a model
// cannot be taught); `notSureThreshold`: the page's "not sure" threshold for this model.
async function load({ folderUrl, folderName, backends, inputShape, labelCount, outputNames,
  outputLayer, pooled, referenceDrawings, notSureThreshold }) {
  tf.wasm.setWasmPaths(new URL('vendor/', self.location.href).href);
  const artifacts = await fetchArtifacts(folderUrl, folderName);
  const failures = [];
  for (const name of backends) {
    try {
      if (!(await tf.setBackend(name))) throw new Error('did not start');
      const loaded = await tf.loadGraphModel(tf.io.fromMemory(artifacts));
      const warmUp = tf.tidy(() => (outputNames
        ? loaded.execute(tf.zeros(inputShape), outputNames.probabilities)
        : loaded.predict(tf.zeros(inputShape))));
      const given = warmUp.shape[warmUp.shape.length - 1];
      await warmUp.data(); // the first run compiles kernels: not on the user's first stroke
      warmUp.dispose();
      if (given !== labelCount) {
        throw new ModelError(`${folderName}model.json: the model gives ${given} outputs but metadata.json `
          + `names ${labelCount} labels: export the model again`);
      }
      model = loaded;
      outputs = outputNames ?? null;
      base = outputLayer ? outputLayerOf(loaded, outputLayer) : null;
      pooledSize = pooled ?? null;
      references = referenceDrawings ? decodeReferences(referenceDrawings) : null;
      notSure = notSureThreshold;
      const threads = name === 'wasm' ? tf.wasm.getThreadsCount() : null;
      return { backend: name, threads };
    } catch (error) {
      if (error instanceof ModelError) throw error;
      failures.push(`${name}: ${error.message}`);
      console.warn(`TF.js backend ${name} failed, trying the next one`, error);
    }
  }
  throw new Error(`no TF.js backend works here (${failures.join('; ')})`);
}

class ModelError extends Error {}

// metadata.json's "references" (export/references.py): signed bytes in base64, times `scale`.
function decodeReferences({ labels, scale, features }) {
  const bytes = Int8Array.from(atob(features), (char) => (char.charCodeAt(0) << 24) >> 24);
  return { features: Float32Array.from(bytes, (value) => value * scale), labels: Int32Array.from(labels) };
}

// The output layer's weights, from the graph model's own (no download of its own): its kernel
// [features, labels] as one row of weights a label, and its bias.
function outputLayerOf(loaded, { kernel, bias }) {
  const [kernelTensor] = loaded.weights[kernel];
  const [size, labels] = kernelTensor.shape;
  const columns = kernelTensor.dataSync();
  const rows = new Float32Array(columns.length);
  for (let j = 0; j < size; j++) {
    for (let label = 0; label < labels; label++) rows[label * size + j] = columns[j * labels + label];
  }
  return { rows, bias: loaded.weights[bias][0].dataSync().slice(), size };
}

function classify({ batch, shape }) {
  const started = performance.now();
  const probs = head
    ? headProbabilities(head, ...read(batch, shape, (input) => {
      const [features, pooled] = execute(input, ['features', 'pooled']);
      return [features, tf.matMul(unitRows(pooled), head.drawnMatrix)];
    }), base)
    : read(batch, shape, (input) => execute(input, ['probabilities']))[0];
  const labels = head?.labels ?? null;
  const changed = labels !== answeredWith; // thousands of labels: copied only when they change
  answeredWith = labels;
  return { probs, ...(changed && { labels }), ms: performance.now() - started };
}

// The labels of the last answer sent (the head's; null: the model's own). An answer carries its
// labels only when they differ from the last answer's; recognizer.js keeps them meanwhile.
let answeredWith = null;

// `compute` on a batch as the model's input tensor, its tensors read as typed arrays. Blocking
// reads are fine here, off the page's thread.
function read(batch, shape, compute) {
  const results = tf.tidy(() => compute(tf.tensor4d(batch, shape)));
  const values = results.map((result) => result.dataSync());
  tf.dispose(results);
  return values;
}

// The model's outputs `keys` of metadata.json's "outputs" (an export without them gives its
// probabilities alone). One output may give two keys ("pooled" may be "features").
function execute(input, keys) {
  if (!outputs) return [model.predict(input)];
  const names = keys.map((key) => outputs[key]);
  const distinct = [...new Set(names)];
  const results = [model.execute(input, distinct)].flat(); // one tensor for one name
  return names.map((name) => results[distinct.indexOf(name)]);
}

// Each row scaled to length 1 (a row of zeros stays zeros).
function unitRows(matrix) {
  return tf.div(matrix, tf.maximum(tf.norm(matrix, 'euclidean', 1, true), 1e-30));
}

// Fits the personal head on a person's drawings and their variations (model inputs, `batch`: the
// first `drawings` are the drawings, then `variations` of each, drawing by drawing; `ids`: each
// drawing's id) and what each is (`targets`: indices into `labels`, the model's followed by the
// person's own), and reads with it from now on. Returns what it learnt, to be kept for the next
// visit.
async function fit({ batch, shape, targets, labels, drawings, ids, variations }) {
  if (!outputs || !base) throw new Error('this model has no features output to learn from: export it again');
  const started = performance.now();
  const { features, drawn } = await featuresOf(batch, shape, ids, variations);
  const { rows, bias, drawnAlike, sureUpTo } = fitHead(base, features, targets, labels.length, drawn, drawings,
    notSure, references);
  const drawnLabels = Int32Array.from(targets.slice(0, drawings));
  const fitted = { labels, rows, bias, drawn, drawnLabels, drawnAlike, sureUpTo };
  useHead({ fitted });
  return { ...fitted, ms: performance.now() - started };
}

// Each taught drawing's features and its variations', and its pooled features scaled to length
// 1, by `${id} ${variations}`: a drawing's never change for this model, so a refit computes only
// those of drawings new to it. Kept for the drawings of the last fit.
const featureCache = new Map();

// The features of a fit's batch, in its order, and the drawings' pooled features (`drawn`). Those
// not cached are computed FIT_CHUNK inputs at a time, with a break between chunks for the page's
// answers: a whole batch of thousands at once overran the wasm backend's memory.
async function featuresOf(batch, [count, ...inputShape], ids, variations) {
  const inputSize = inputShape.reduce((product, side) => product * side, 1);
  const perDrawing = 1 + variations;
  const drawings = ids.length;
  const rowsOf = (i) => [i, ...Array.from({ length: variations }, (_, k) => drawings + i * variations + k)];
  const key = (id) => `${id} ${variations}`;
  const missing = ids.map((id, i) => [id, i]).filter(([id]) => !featureCache.has(key(id)));
  if (missing.length) {
    const gathered = new Float32Array(missing.length * perDrawing * inputSize);
    let row = 0;
    for (const [, i] of missing) {
      for (const from of rowsOf(i)) gathered.set(batch.subarray(from * inputSize, (from + 1) * inputSize), (row++) * inputSize);
    }
    const [features, pooled] = await readInChunks(gathered, [row, ...inputShape], (input) => {
      const [features, pooled] = execute(input, ['features', 'pooled']);
      return [features, unitRows(pooled)];
    });
    missing.forEach(([id], m) => featureCache.set(key(id), {
      features: features.slice(m * perDrawing * base.size, (m + 1) * perDrawing * base.size),
      pooled: pooled.slice(m * perDrawing * pooledSize, (m * perDrawing + 1) * pooledSize),
    }));
  }
  const features = new Float32Array(count * base.size);
  const drawn = new Float32Array(drawings * pooledSize);
  ids.forEach((id, i) => {
    const cached = featureCache.get(key(id));
    rowsOf(i).forEach((to, k) => features.set(cached.features.subarray(k * base.size, (k + 1) * base.size), to * base.size));
    drawn.set(cached.pooled, i * pooledSize);
  });
  const used = new Set(ids.map(key));
  for (const cachedKey of featureCache.keys()) if (!used.has(cachedKey)) featureCache.delete(cachedKey);
  return { features, drawn };
}

const FIT_CHUNK = 256;

// read() on a batch FIT_CHUNK inputs at a time, each output's chunks joined.
async function readInChunks(batch, [count, ...inputShape], compute) {
  const inputSize = inputShape.reduce((product, side) => product * side, 1);
  const parts = [];
  for (let start = 0; start < count; start += FIT_CHUNK) {
    const end = Math.min(count, start + FIT_CHUNK);
    parts.push(read(batch.subarray(start * inputSize, end * inputSize), [end - start, ...inputShape], compute));
    await new Promise((resolve) => { setTimeout(resolve, 0); }); // a classify waiting goes first
  }
  return parts[0].map((_, output) => {
    const joined = new Float32Array(parts.reduce((sum, values) => sum + values[output].length, 0));
    let offset = 0;
    for (const values of parts) {
      joined.set(values[output], offset);
      offset += values[output].length;
    }
    return joined;
  });
}

// A head fitted before ({ labels, rows, bias, drawn, drawnLabels, drawnAlike, sureUpTo }, checked by
// the page against
// this model); null: the model's own answers.
function useHead({ fitted }) {
  if (head) tf.dispose(head.drawnMatrix);
  head = fitted && {
    ...fitted, size: base.size,
    drawnMatrix: tf.tidy(() => tf.transpose(tf.tensor2d(fitted.drawn, [fitted.drawnLabels.length, pooledSize]))),
  };
  return {};
}

// model.json and its weight files, each checked, so that a failure names the file: TF.js's own
// loader reports a missing or cut-short shard as "byte length of Float32Array should be a
// multiple of 4".
async function fetchArtifacts(folderUrl, folderName) {
  const fetchFile = (file) => fetchOk(new URL(file, folderUrl), folderName + file);
  const modelJson = await (await fetchFile('model.json')).json().catch(() => null);
  if (!Array.isArray(modelJson?.weightsManifest) || typeof modelJson.modelTopology !== 'object') {
    throw new ModelError(`${folderName}model.json: not a TF.js graph model (no modelTopology `
      + 'and weightsManifest): export the model again');
  }
  return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
    const buffers = [];
    for (const group of manifest) {
      const files = [];
      for (const path of group.paths) files.push(await (await fetchFile(path)).arrayBuffer());
      const got = files.reduce((sum, file) => sum + file.byteLength, 0);
      const expected = group.weights.reduce((sum, weight) => sum + weightBytes(weight), 0);
      if (got !== expected) {
        throw new ModelError(`${group.paths.map((path) => folderName + path).join(', ')}: `
          + `${got.toLocaleString('en')} bytes where model.json expects `
          + `${expected.toLocaleString('en')} (a download cut short?)`);
      }
      buffers.push(...files);
    }
    return [manifest.flatMap((group) => group.weights), tf.io.concatenateArrayBuffers(buffers)];
  });
}

async function fetchOk(url, name) {
  let response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new ModelError(`${name}: ${error.message}`);
  }
  if (!response.ok) throw new ModelError(`${name}: HTTP ${response.status}`);
  return response;
}

const DTYPE_BYTES = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2, complex64: 8 };

// A weight's bytes as stored: quantized weights take their quantized type's size.
function weightBytes({ shape, dtype, quantization }) {
  const count = shape.reduce((product, side) => product * side, 1);
  return count * DTYPE_BYTES[quantization?.dtype ?? dtype];
}
