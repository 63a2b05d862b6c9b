// Offline support: keep a copy of the page, TF.js, the wasm binaries and the site's models.
// The page's files: network first, so a fix reaches users as soon as they are online; the cache
// when offline, or when the network's copy is an error or cut short.
// Each model (its folder, model/ or models/NAME/: web/model-folders.js): always from the cache,
// one complete version at a time, each model on its own: the model of each page open as the
// worker installs (the page that registered it) is kept then, any other once a page of it has
// loaded, and an update of one leaves the others as they are. A version is metadata.json and
// the weights together, named by the model_hash metadata.json carries and a hash of
// metadata.json itself: a new metadata.json with the same weights (a new not-sure threshold, a
// new name) is a new version too, and reuses the cached weights. A newer version's
// metadata.json is checked as the page checks it (web/metadata.js,
// against the schema the page reads), its files downloaded whole and checked against
// model_hash, and only then does it replace the current one: a version the page would refuse,
// or a bad or partial download, changes nothing. A module worker (updates.js registers it so),
// to import the page's check.
// Paths are relative to this file, so the page works from any sub-path of any static server.
import { checkMetadata } from './metadata.js';
import {
  CATALOG, cachesInUse, chooseModel, keepVersion, keptVersion, modelCache, modelFolderOf,
} from './model-folders.js';

// `self`, typed as what it is here (tsc's webworker lib types it as any worker's scope).
const scope = /** @type {ServiceWorkerGlobalScope} */ (/** @type {unknown} */ (self));

const SHELL_CACHE = 'drawrecog-shell';
const SHELL = [
  './', 'index.html', 'style.css', 'app.js', 'pad.js', 'recognizer.js', 'recognizer-worker.js',
  'personal-head.js', 'personal-store.js', 'variations.js', 'models.js', 'model-folders.js',
  'characters.js', 'ranking.js', 'photo.js', 'strokes.js', 'metadata.js', 'updates.js',
  'samples.js', 'teach.js', 'keyboard.js', 'candidates.js', 'text-line.js',
  'manifest.webmanifest', 'icon.svg', 'schema.js', 'metadata.schema.json',
];
const VENDORED = 'vendor/files.txt'; // what `make` copied into vendor/ (TF.js), one file a line
const SCHEMA = 'metadata.schema.json';

scope.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const shell = await caches.open(SHELL_CACHE);
    await shell.addAll([...SHELL, ...await vendoredFiles()]);
    const catalog = await fetch(CATALOG, { cache: 'no-cache' }); // a site of one model has none
    if (catalog.ok) await shell.put(CATALOG, catalog);
    // No offline page without its whole model: a failure fails the install.
    for (const folder of await foldersOfOpenPages()) await updateModel(folder);
    await scope.skipWaiting();
  })());
});

// The model folder each of the site's open pages reads with, chosen as the page chose it (its
// ?model=, the default where the catalog does not name it): a first visit straight to another
// model keeps that one, and never downloads the default model for it.
async function foldersOfOpenPages() {
  const pages = await scope.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const ours = pages.filter(({ url }) => url.startsWith(scope.registration.scope));
  const choices = await Promise.all(ours.map(({ url }) => chooseModel(new URL(url).search)));
  return new Set(choices.map(({ folder }) => folder));
}

scope.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const keep = await cachesInUse([SHELL_CACHE]);
    for (const name of await caches.keys()) if (!keep.includes(name)) await caches.delete(name);
    await scope.clients.claim();
  })());
});

scope.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET' || new URL(request.url).origin !== location.origin) return;
  const folder = modelFolderOf(request.url);
  event.respondWith(folder ? fromModelCache(request, folder) : networkFirst(request));
});

// The page asks once it has loaded its model (updates.js): the worker keeps that model's
// version, and the page hears whether a newer one is ready.
const checking = new Map(); // folder: its check under way
scope.addEventListener('message', (event) => {
  const { type, folder } = event.data ?? {};
  if (type !== 'check-model' || modelFolderOf(new URL(folder, location.href).href) !== folder) return;
  if (!checking.has(folder)) {
    checking.set(folder, updateModel(folder).finally(() => checking.delete(folder)));
  }
  event.waitUntil(checking.get(folder).catch((error) => {
    event.source?.postMessage({ type: 'model', status: 'failed', folder, detail: error.message });
  }));
});

async function fromModelCache(request, folder) {
  const version = await keptVersion(folder);
  const cached = version
    && await caches.match(request, { cacheName: modelCache(folder, version), ignoreSearch: true });
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

// Downloads `folder`'s metadata.json; when it is not the kept version's, checks it as the page
// would, takes that version's weights (from the kept version when model_hash is the same, else
// downloaded whole and checked), and makes it the kept version.
async function updateModel(folder) {
  const file = `${folder}metadata.json`;
  const metadata = await download(file);
  const text = new TextDecoder().decode(metadata.body);
  const version = `${parsed(text, file).model_hash}-${(await sha256([metadata.body])).slice(0, 16)}`;
  const previous = await keptVersion(folder);
  if (version === previous) return;
  const schema = parsed(new TextDecoder().decode((await download(SCHEMA)).body), SCHEMA);
  checkMetadata(parsed(text, file), schema, file);
  const { model_hash: hash } = parsed(text, file);
  const files = (previous && previous.split('-')[0] === hash && await cachedWeights(folder, previous))
    || await downloadWeights(folder, hash);
  const cache = await caches.open(modelCache(folder, version));
  for (const each of [...files, metadata]) {
    await cache.put(each.url, new Response(each.body, { headers: each.headers }));
  }
  await keepVersion(folder, version);
  if (previous) await caches.delete(modelCache(folder, previous));
  // 'kept': this model now works offline too; 'updated': a newer version is ready for a reload.
  const status = previous ? 'updated' : 'kept';
  const pages = await scope.clients.matchAll({ type: 'window', includeUncontrolled: true });
  for (const page of pages) page.postMessage({ type: 'model', status, folder });
}

/** @param {string} text @param {string} name */
function parsed(text, name) {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${name}: not JSON`);
  }
}

// model.json and its shards, downloaded whole; their hash must be metadata.json's model_hash.
async function downloadWeights(folder, hash) {
  const model = await download(`${folder}model.json`);
  const weights = await Promise.all(shardsOf(folder, model.body).map(download));
  const downloaded = await sha256([model, ...weights].map(({ body }) => body));
  if (downloaded !== hash) {
    throw new Error(`${folder}metadata.json: model_hash ${hash}, but model.json and its shards as `
      + `downloaded hash to ${downloaded}`);
  }
  return [model, ...weights];
}

// The same weights as a version cached before: model.json and its shards from its cache (null
// when one is missing there).
async function cachedWeights(folder, version) {
  const cache = await caches.open(modelCache(folder, version));
  const read = async (url) => {
    const response = await cache.match(new URL(url, location.href).href);
    return response && { url, body: await response.arrayBuffer(), headers: response.headers };
  };
  const model = await read(`${folder}model.json`);
  if (!model) return null;
  const weights = await Promise.all(shardsOf(folder, model.body).map(read));
  return weights.every(Boolean) ? [model, ...weights] : null;
}

function shardsOf(folder, modelJson) {
  return JSON.parse(new TextDecoder().decode(modelJson)).weightsManifest
    .flatMap((group) => group.paths.map((path) => `${folder}${path}`));
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
