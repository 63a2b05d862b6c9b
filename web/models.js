// The picker of the site's models (model-folders.js reads its catalog and the URL's ?model=): it
// switches between them; offline, it offers only the models the service worker keeps. And the
// model's about line.
import { DEFAULT_FOLDER, keptModels } from './model-folders.js';

/** @typedef {import('./model-folders.js').Choice} Choice */

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
