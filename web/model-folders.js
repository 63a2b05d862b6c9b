// The site's models, as the export lays them out (export/catalog.py): the default in model/, any
// other in models/NAME/, and the catalog models.json naming them; which of them a page reads with
// (its ?model=NAME, no ?model= the default), which the page and the service worker (sw.js) both
// ask. And where the service worker keeps each model's version in use, which the page reads to
// know what works offline. Paths are relative to the page and sw.js, which sit side by side.

export const CATALOG = 'models.json';
export const DEFAULT_FOLDER = 'model/';
const OTHER_FOLDER = /^models\/[^/]+\//;

const CURRENT_CACHE = 'drawrecog-current'; // an entry per model folder: its version in use
const CURRENT = 'current-model/'; // + the folder: that entry's key
const MODEL_CACHE = 'drawrecog-model-'; // + the version, ' ', the folder: one version's files

/** @typedef {{ name: string, folder: string }} SiteModel */
/** @typedef {{ folder: string, models: SiteModel[], problem: string | null }} Choice */

/** The model the URL asks for, the catalog's models, and what went wrong (the page shows it and
 * reads with the default model). @returns {Promise<Choice>} */
export async function chooseModel(search = location.search) {
  const wanted = new URLSearchParams(search).get('model');
  let models = [];
  let problem = null;
  try {
    models = await readCatalog();
  } catch (error) {
    problem = error.message;
  }
  if (wanted === null) return { folder: DEFAULT_FOLDER, models, problem };
  const chosen = models.find(({ name }) => name === wanted);
  if (chosen) return { folder: chosen.folder, models, problem };
  problem ??= `${CATALOG}: no model named ${JSON.stringify(wanted)}`;
  return { folder: DEFAULT_FOLDER, models, problem: `${problem}; reading with the default model` };
}

/** The catalog's models; [] for a site without one (a site of one model). */
async function readCatalog() {
  const response = await fetch(CATALOG).catch(() => null); // offline, never kept: no catalog
  if (!response || response.status === 404) return [];
  if (!response.ok) throw new Error(`${CATALOG}: HTTP ${response.status}`);
  return checkCatalog(await response.text());
}

/** The models a catalog's text lists; an Error naming the catalog and the problem when it is not
 * one. @param {string} text @returns {SiteModel[]} */
export function checkCatalog(text) {
  let catalog;
  try {
    catalog = JSON.parse(text);
  } catch {
    throw new Error(`${CATALOG}: not JSON`);
  }
  const models = catalog?.models;
  if (!Array.isArray(models)) throw new Error(`${CATALOG}: no list of models`);
  models.forEach((model, i) => {
    const folderUrl = typeof model?.folder === 'string' ? new URL(model.folder, location.href).href : '';
    if (typeof model?.name !== 'string' || !model.name) throw new Error(`${CATALOG}: models[${i}] has no name`);
    if (modelFolderOf(folderUrl) !== model.folder) {
      throw new Error(`${CATALOG}: models[${i}].folder ${JSON.stringify(model.folder)} is not `
        + `${DEFAULT_FOLDER} or models/NAME/`);
    }
  });
  return models.map(({ name, folder }) => ({ name, folder }));
}

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
