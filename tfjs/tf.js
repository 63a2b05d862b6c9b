// The page's TF.js, bundled by esbuild into web/vendor/tf.js (make setup): a classic script that
// defines the global `tf`, for a <script> tag or importScripts() in a worker. It holds what running
// an exported graph model takes: tfjs-core (every op; no gradients, no layers, no data), the
// converter's graph-model loader, and the backends export/__init__.py lists (BACKENDS), each with
// every kernel, so any graph the converter writes runs on each.
export * from '@tensorflow/tfjs-core';
export { loadGraphModel } from '@tensorflow/tfjs-converter';
export * as wasm from '@tensorflow/tfjs-backend-wasm'; // tf.wasm.setWasmPaths, getThreadsCount
import { registerBackend } from '@tensorflow/tfjs-core';

// webgl and cpu run only where wasm cannot start, and they are nearly half of TF.js: their code,
// vendor/tf-fallback.js (tfjs/fallback.js), is imported the first time either starts. import()
// resolves it against this script's own address, in a page or a worker alike. Priorities as the
// backends' own packages register them.
registerBackend('webgl', async () => new (await import('./tf-fallback.js')).MathBackendWebGL(), 2);
registerBackend('cpu', async () => new (await import('./tf-fallback.js')).MathBackendCPU(), 1);
