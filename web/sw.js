// Offline support: keep a copy of the page, TF.js, the wasm binaries and the model.
// Network first, so a new model reaches users as soon as they are online; the cache otherwise.
// Paths are relative to this file, so the page works from any sub-path of any static server.
const CACHE = 'drawrecog-v1';
const SHELL = [
  './', 'index.html', 'style.css', 'app.js', 'pad.js', 'preprocess.js', 'strokes.js', 'manifest.webmanifest',
  'icon.svg', 'model/model.json', 'model/metadata.json',
];
const VENDORED = 'vendor/files.txt'; // what `make` copied into vendor/ (TF.js), one file a line

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.addAll([...SHELL, ...await vendoredFiles()]);
    const model = await (await cache.match('model/model.json')).json();
    const shards = model.weightsManifest.flatMap((group) => group.paths.map((p) => `model/${p}`));
    await cache.addAll(shards);
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) if (name !== CACHE) await caches.delete(name);
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET' || new URL(request.url).origin !== location.origin) return;
  event.respondWith((async () => {
    try {
      const response = await fetch(request);
      if (response.ok) (await caches.open(CACHE)).put(request, response.clone());
      return isolated(response);
    } catch (offline) {
      const cached = await caches.match(request, { ignoreSearch: true });
      if (cached) return isolated(cached);
      throw offline;
    }
  })());
});

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
