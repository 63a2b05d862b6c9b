// The site's models, as the export lays them out (export/catalog.py): the default in model/, any
// other in models/NAME/, and the catalog models.json naming them. And where the service worker
// (sw.js) keeps each model's version in use, which the page reads to know what works offline.
// Paths are relative to the page and sw.js, which sit side by side.

export const CATALOG = 'models.json';
export const DEFAULT_FOLDER = 'model/';
const OTHER_FOLDER = /^models\/[^/]+\//;

const CURRENT_CACHE = 'drawrecog-current'; // an entry per model folder: its version in use
const CURRENT = 'current-model/'; // + the folder: that entry's key
const MODEL_CACHE = 'drawrecog-model-'; // + the version, ' ', the folder: one version's files

/** The model folder `url` (absolute) lies in, as the page names it ('model/', 'models/x/'), or
 * null for any other file. @param {string} url */
export function modelFolderOf(url) {
  const base = new URL('./', location.href).href;
  if (!url.startsWith(base)) return null;
  const path = url.slice(base.length);
  if (path.startsWith(DEFAULT_FOLDER)) return DEFAULT_FOLDER;
  return path.match(OTHER_FOLDER)?.[0] ?? null;
}

/** The cache that holds `version` of the model in `folder`. */
export function modelCache(folder, version) {
  return `${MODEL_CACHE}${version} ${folder}`;
}

/** The version of `folder`'s model in use offline, or null when none is kept. */
export async function keptVersion(folder) {
  const entry = await caches.match(CURRENT + folder, { cacheName: CURRENT_CACHE });
  return entry ? entry.text() : null;
}

export async function keepVersion(folder, version) {
  await (await caches.open(CURRENT_CACHE)).put(CURRENT + folder, new Response(version));
}

/** Every kept model: its folder and the version in use. @returns {Promise<Map<string, string>>} */
export async function keptModels() {
  const kept = new Map();
  if (!globalThis.caches || !await caches.has(CURRENT_CACHE)) return kept;
  const cache = await caches.open(CURRENT_CACHE);
  const prefix = new URL(CURRENT, location.href).href;
  for (const request of await cache.keys()) {
    const response = await cache.match(request);
    if (response) kept.set(request.url.slice(prefix.length), await response.text());
  }
  return kept;
}

/** The caches the service worker keeps: the given ones, and every kept model's version. */
export async function cachesInUse(others) {
  const versions = [...(await keptModels())].map(([folder, version]) => modelCache(folder, version));
  return [...others, CURRENT_CACHE, ...versions];
}
