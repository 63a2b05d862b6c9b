// Offline support: keep a copy of the page, TF.js, the wasm binaries and the model.
// The page's files: network first, so a fix reaches users as soon as they are online; the cache
// when offline, or when the network's copy is an error or cut short.
// The model (model/): always from the cache, one complete version at a time, named by the
// model_hash its metadata.json carries. A newer version is downloaded whole, checked against that
// hash, and only then replaces the current one: a bad or partial download changes nothing.
// Paths are relative to this file, so the page works from any sub-path of any static server.
const SHELL_CACHE = 'drawrecog-shell';
const SHELL = [
  './', 'index.html', 'style.css', 'app.js', 'pad.js', 'recognizer.js', 'recognizer-worker.js',
  'personal-head.js', 'personal-store.js', 'variations.js',
  'characters.js', 'ranking.js', 'preprocess.js', 'strokes.js', 'metadata.js', 'updates.js',
  'samples.js', 'teach.js', 'manifest.webmanifest', 'icon.svg', 'schema.js', 'metadata.schema.json',
];
const VENDORED = 'vendor/files.txt'; // what `make` copied into vendor/ (TF.js), one file a line
const MODEL = new URL('model/', location).href;
const MODEL_CACHE = 'drawrecog-model-'; // + the version's model_hash
const CURRENT_CACHE = 'drawrecog-current'; // one entry, CURRENT: the model_hash in use
const CURRENT = 'current-model';

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const shell = await caches.open(SHELL_CACHE);
    await shell.addAll([...SHELL, ...await vendoredFiles()]);
    await updateModel(); // no offline page without a whole model: a failure fails the install
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const keep = [SHELL_CACHE, CURRENT_CACHE, MODEL_CACHE + await currentModelHash()];
    for (const name of await caches.keys()) if (!keep.includes(name)) await caches.delete(name);
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET' || new URL(request.url).origin !== location.origin) return;
  event.respondWith(request.url.startsWith(MODEL) ? fromModelCache(request) : networkFirst(request));
});

// The page asks once it has loaded its model (updates.js); it hears whether a newer one is ready.
let checking = null;
self.addEventListener('message', (event) => {
  if (event.data !== 'check-model') return;
  checking ??= updateModel().finally(() => { checking = null; });
  event.waitUntil(checking.catch((error) => {
    event.source.postMessage({ type: 'model', status: 'failed', detail: error.message });
  }));
});

async function fromModelCache(request) {
  const hash = await currentModelHash();
  const cached = hash && await caches.match(request, { cacheName: MODEL_CACHE + hash, ignoreSearch: true });
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

// Downloads metadata.json; when its model_hash is not the current version's, downloads that
// version whole, checks it, and makes it the current one.
async function updateModel() {
  const metadata = await download('model/metadata.json');
  const { model_hash: hash } = JSON.parse(new TextDecoder().decode(metadata.body));
  const previous = await currentModelHash();
  if (hash === previous) return;
  if (!hash) throw new Error('model/metadata.json: no model_hash (export the model again)');
  const model = await download('model/model.json');
  const shards = JSON.parse(new TextDecoder().decode(model.body)).weightsManifest
    .flatMap((group) => group.paths.map((path) => `model/${path}`));
  const weights = await Promise.all(shards.map(download));
  const downloaded = await sha256([model, ...weights].map(({ body }) => body));
  if (downloaded !== hash) {
    throw new Error(`model/metadata.json: model_hash ${hash}, but model.json and its shards as `
      + `downloaded hash to ${downloaded}`);
  }
  const cache = await caches.open(MODEL_CACHE + hash);
  for (const file of [model, ...weights, metadata]) {
    await cache.put(file.url, new Response(file.body, { headers: file.headers }));
  }
  await (await caches.open(CURRENT_CACHE)).put(CURRENT, new Response(hash));
  if (!previous) return; // the first version, cached as the worker installs
  await caches.delete(MODEL_CACHE + previous);
  const pages = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  for (const page of pages) page.postMessage({ type: 'model', status: 'updated' });
}

async function currentModelHash() {
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
