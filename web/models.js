// Which of the site's models the page reads with: ?model=NAME names one in the site's catalog
// (models.json, which the export writes), no ?model= the default (model/). The picker switches
// between them; offline, it offers only the models the service worker keeps.
import { CATALOG, DEFAULT_FOLDER, keptModels, modelFolderOf } from './model-folders.js';

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

/** Fills `select` with the catalog's models, `folder`'s chosen; picking one opens the page on
 * it. Offline, a model the service worker does not keep is disabled and marked. Hidden when the
 * site has one model, or the catalog does not list the page's.
 * @param {HTMLSelectElement} select @param {Choice} choice */
export async function showPicker(select, { folder, models }) {
  const listed = models.some((model) => model.folder === folder);
  select.closest('label').hidden = !listed || models.length < 2;
  if (select.closest('label').hidden) return;
  const kept = await keptModels();
  const offline = !navigator.onLine;
  select.replaceChildren(...models.map((model) => {
    const unavailable = offline && model.folder !== folder && !kept.has(model.folder);
    const option = new Option(unavailable ? `${model.name} (not kept offline)` : model.name,
      model.name, false, model.folder === folder);
    option.disabled = unavailable;
    option.dataset.kept = String(kept.has(model.folder));
    return option;
  }));
  select.onchange = () => {
    const url = new URL(location.href);
    const picked = models.find(({ name }) => name === select.value);
    if (picked.folder === DEFAULT_FOLDER) url.searchParams.delete('model');
    else url.searchParams.set('model', picked.name);
    location.assign(url);
  };
}

/** The about line: the model's name, its labels, and what it was trained on and is shared
 * under where its metadata names them.
 * @param {{ name?: string, labels: string[], credit?: { [key: string]: any } }} metadata */
export function aboutModel({ name, labels, credit }) {
  const parts = [name, `${labels.length.toLocaleString('en')} labels`];
  if (credit?.trained_on.length) parts.push(`trained on ${credit.trained_on.join('; ')}`);
  if (credit?.licence) parts.push(`shared under ${credit.licence}`);
  return parts.join(' · ');
}
