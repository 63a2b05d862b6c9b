// The model, off the page's main thread: drawing stays smooth while a large model runs.
// A classic worker, because vendor/tf.js is a classic script (tfjs/tf.js). recognizer.js is its
// only caller: 'load' once, then 'classify' batches of model inputs.
importScripts('vendor/tf.js');

let model = null;

self.onmessage = async ({ data: { id, type, ...request } }) => {
  try {
    const result = type === 'load' ? await load(request) : await classify(request);
    self.postMessage({ id, result }, result.probs ? [result.probs.buffer] : []);
  } catch (error) {
    self.postMessage({ id, error: error.message });
  }
};

// Reads the model's files once, then tries the backends in order (each falls back to the next);
// the model is warmed up on the one that works, and its output size checked against the labels.
// `folderUrl`: the model folder's address; `folderName`: as the page gave it, to name files by.
async function load({ folderUrl, folderName, backends, inputShape, labelCount }) {
  tf.wasm.setWasmPaths(new URL('vendor/', self.location.href).href);
  const artifacts = await fetchArtifacts(folderUrl, folderName);
  const failures = [];
  for (const name of backends) {
    try {
      if (!(await tf.setBackend(name))) throw new Error('did not start');
      const loaded = await tf.loadGraphModel(tf.io.fromMemory(artifacts));
      const warmUp = tf.tidy(() => loaded.predict(tf.zeros(inputShape)));
      const outputs = warmUp.shape[warmUp.shape.length - 1];
      await warmUp.data(); // the first run compiles kernels: not on the user's first stroke
      warmUp.dispose();
      if (outputs !== labelCount) {
        throw new ModelError(`${folderName}model.json: the model gives ${outputs} outputs but metadata.json `
          + `names ${labelCount} labels: export the model again`);
      }
      model = loaded;
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

// Blocking reads are fine here, off the page's thread, and save a turn of the event loop. The
// probabilities are read outside tf.tidy, which would search the array they come in, value by
// value, for tensors to keep (0.3 ms for 3,036 labels).
function classify({ batch, shape }) {
  const started = performance.now();
  const output = tf.tidy(() => model.predict(tf.tensor4d(batch, shape)));
  const probs = output.dataSync();
  output.dispose();
  return { probs, ms: performance.now() - started };
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
