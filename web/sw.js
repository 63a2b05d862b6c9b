// Offline support: keep a copy of the page, TF.js, the wasm binaries and the model.
// The page's files: network first, so a fix reaches users as soon as they are online; the cache
// when offline, or when the network's copy is an error or cut short.
// The model (model/): always from the cache, one complete version at a time. A version is
// metadata.json and the weights together, named by the model_hash metadata.json carries and a
// hash of metadata.json itself: a new metadata.json with the same weights (a new not-sure
// threshold, a new name) is a new version too, and reuses the cached weights. A newer version's
// metadata.json is checked as the page checks it (web/metadata.js, against the schema the page
// reads), its files downloaded whole and checked against model_hash, and only then does it
// replace the current one: a version the page would refuse, or a bad or partial download,
// changes nothing. A module worker (updates.js registers it so), to import the page's check.
// Paths are relative to this file, so the page works from any sub-path of any static server.
import { checkMetadata } from './metadata.js';

// `self`, typed as what it is here (tsc's webworker lib types it as any worker's scope).
const scope = /** @type {ServiceWorkerGlobalScope} */ (/** @type {unknown} */ (self));

const SHELL_CACHE = 'drawrecog-shell';
const SHELL = [
  './', 'index.html', 'style.css', 'app.js', 'pad.js', 'recognizer.js', 'recognizer-worker.js',
  'personal-head.js', 'personal-store.js', 'variations.js',
  'characters.js', 'ranking.js', 'preprocess.js', 'strokes.js', 'metadata.js', 'updates.js',
  'samples.js', 'teach.js', 'manifest.webmanifest', 'icon.svg', 'schema.js', 'metadata.schema.json',
];
const VENDORED = 'vendor/files.txt'; // what `make` copied into vendor/ (TF.js), one file a line
const MODEL = new URL('model/', location.href).href;
const MODEL_CACHE = 'drawrecog-model-'; // + the version: its model_hash, '-', its metadata's hash
const CURRENT_CACHE = 'drawrecog-current'; // one entry, CURRENT: the version in use
const SCHEMA = 'metadata.schema.json';
const CURRENT = 'current-model';

scope.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const shell = await caches.open(SHELL_CACHE);
    await shell.addAll([...SHELL, ...await vendoredFiles()]);
    await updateModel(); // no offline page without a whole model: a failure fails the install
    await scope.skipWaiting();
  })());
});

scope.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const keep = [SHELL_CACHE, CURRENT_CACHE, MODEL_CACHE + await currentVersion()];
    for (const name of await caches.keys()) if (!keep.includes(name)) await caches.delete(name);
    await scope.clients.claim();
  })());
});

scope.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET' || new URL(request.url).origin !== location.origin) return;
  event.respondWith(request.url.startsWith(MODEL) ? fromModelCache(request) : networkFirst(request));
});

// The page asks once it has loaded its model (updates.js); it hears whether a newer one is ready.
let checking = null;
scope.addEventListener('message', (event) => {
  if (event.data !== 'check-model') return;
  checking ??= updateModel().finally(() => { checking = null; });
  event.waitUntil(checking.catch((error) => {
    event.source?.postMessage({ type: 'model', status: 'failed', detail: error.message });
  }));
});

async function fromModelCache(request) {
  const version = await currentVersion();
  const cached = version && await caches.match(request, { cacheName: MODEL_CACHE + version, ignoreSearch: true });
  return isolated(cached || await fetch(request));
}

async function networkFirst(request) {
  const cache = await caches.open(SHELL_CACHE);
  try {
    const response = await fetch(request);
    if (!response.ok) return isolated(await cache.match(request, { ignoreSearch: true }) ?? response);
    const whole = new Response(await wholeBody(request.url, response), response);
    await cache.put(request, whole.clone());
    return isolated(whole);
  } catch (failure) { // offline, or the body was cut short
    const cached = await cache.match(request, { ignoreSearch: true });
    if (cached) return isolated(cached);
    throw failure;
  }
}

// Downloads metadata.json; when it is not the current version's, checks it as the page would,
// takes that version's weights (from the current version when model_hash is the same, else
// downloaded whole and checked), and makes it the current version.
async function updateModel() {
  const metadata = await download('model/metadata.json');
  const text = new TextDecoder().decode(metadata.body);
  const version = `${parsed(text).model_hash}-${(await sha256([metadata.body])).slice(0, 16)}`;
  const previous = await currentVersion();
  if (version === previous) return;
  checkMetadata(parsed(text), parsed(new TextDecoder().decode((await download(SCHEMA)).body), SCHEMA));
  const { model_hash: hash } = parsed(text);
  const files = (previous && previous.split('-')[0] === hash && await cachedWeights(previous))
    || await downloadWeights(hash);
  const cache = await caches.open(MODEL_CACHE + version);
  for (const file of [...files, metadata]) {
    await cache.put(file.url, new Response(file.body, { headers: file.headers }));
  }
  await (await caches.open(CURRENT_CACHE)).put(CURRENT, new Response(version));
  if (!previous) return; // the first version, cached as the worker installs
  await caches.delete(MODEL_CACHE + previous);
  const pages = await scope.clients.matchAll({ type: 'window', includeUncontrolled: true });
  for (const page of pages) page.postMessage({ type: 'model', status: 'updated' });
}

/** @param {string} text @param {string} name */
function parsed(text, name = 'model/metadata.json') {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${name}: not JSON`);
  }
}

// model.json and its shards, downloaded whole; their hash must be metadata.json's model_hash.
async function downloadWeights(hash) {
  const model = await download('model/model.json');
  const weights = await Promise.all(shardsOf(model.body).map(download));
  const downloaded = await sha256([model, ...weights].map(({ body }) => body));
  if (downloaded !== hash) {
    throw new Error(`model/metadata.json: model_hash ${hash}, but model.json and its shards as `
      + `downloaded hash to ${downloaded}`);
  }
  return [model, ...weights];
}

// The same weights as a version cached before: model.json and its shards from its cache (null
// when one is missing there).
async function cachedWeights(version) {
  const cache = await caches.open(MODEL_CACHE + version);
  const read = async (url) => {
    const response = await cache.match(new URL(url, location.href).href);
    return response && { url, body: await response.arrayBuffer(), headers: response.headers };
  };
  const model = await read('model/model.json');
  if (!model) return null;
  const weights = await Promise.all(shardsOf(model.body).map(read));
  return weights.every(Boolean) ? [model, ...weights] : null;
}

function shardsOf(modelJson) {
  return JSON.parse(new TextDecoder().decode(modelJson)).weightsManifest
    .flatMap((group) => group.paths.map((path) => `model/${path}`));
}

async function currentVersion() {
  const current = await caches.match(CURRENT, { cacheName: CURRENT_CACHE });
  return current ? current.text() : null;
}

// A file of the model, whole, from the server (the HTTP cache may answer only if it is fresh).
async function download(url) {
  const response = await fetch(url, { cache: 'no-cache' }).catch((error) => {
    throw new Error(`${url}: ${error.message}`);
  });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return { url, body: await wholeBody(url, response), headers: response.headers };
}

// The body, read to its end; an error when the connection ended early or it is shorter or
// longer than its Content-Length (which counts compressed bytes when it is compressed).
async function wholeBody(url, response) {
  const body = await response.arrayBuffer();
  const declared = response.headers.get('Content-Length');
  if (declared !== null && !response.headers.has('Content-Encoding')
      && Number(declared) !== body.byteLength) {
    throw new Error(`${url}: ${body.byteLength} bytes, but its Content-Length is ${declared}`);
  }
  return body;
}

async function sha256(buffers) {
  const digest = await crypto.subtle.digest('SHA-256', await new Blob(buffers).arrayBuffer());
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

async function vendoredFiles() {
  const response = await fetch(VENDORED);
  if (!response.ok) throw new Error(`${VENDORED}: HTTP ${response.status}`);
  return (await response.text()).split('\n').filter(Boolean).map((name) => `vendor/${name}`);
}

// Cross-origin isolation (COOP + COEP), which plain static hosts do not send: it lets the wasm
// backend use threads (SharedArrayBuffer) from the second visit on.
function isolated(response) {
  if (response.status === 0) return response;
  const headers = new Headers(response.headers);
  headers.set('Cross-Origin-Opener-Policy', 'same-origin');
  headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
