// The text a person writes one character at a time (the candidates they tap), kept in the
// browser so that it survives a reload: a line for each model, keyed by the model folder's URL as
// the personal store keys what is taught (web/personal-store.js), so that Japanese written with
// one model does not appear beside another. Pure functions: the storage (localStorage in the
// page) is passed in.

const TEXT_KEY = 'drawrecog-text-line'; // + ' ' + the model folder's URL
const TEXT_SET_ASIDE_KEY = 'drawrecog-text-line-set-aside'; // likewise: a stored value that was not one
const FORMAT = 1; // what is stored: {"format": 1, "text": "..."}

/** Where `model`'s line is kept. @param {string} model the model folder's URL */
export function textKey(model) {
  return `${TEXT_KEY} ${model}`;
}

/** Where `model`'s damaged line is set aside. @param {string} model the model folder's URL */
export function setAsideKey(model) {
  return `${TEXT_SET_ASIDE_KEY} ${model}`;
}

/**
 * The text stored for `model`, '' when none; a stored value that is not a text line (damaged, or
 * written by something else) is moved to setAsideKey(model), where nothing reads it, and
 * `setAside` is true. Other models' lines are left as they are.
 * @param {Storage} storage
 * @param {string} model the model folder's URL
 * @returns {{ text: string, setAside: boolean }}
 */
export function readText(storage, model) {
  const raw = storage.getItem(textKey(model));
  if (raw === null) return { text: '', setAside: false };
  const text = parsedText(raw);
  if (text !== null) return { text, setAside: false };
  storage.setItem(setAsideKey(model), raw);
  storage.removeItem(textKey(model));
  return { text: '', setAside: true };
}

/** @param {Storage} storage @param {string} model the model folder's URL @param {string} text */
export function writeText(storage, model, text) {
  storage.setItem(textKey(model), JSON.stringify({ format: FORMAT, text }));
}

/**
 * The text without its last character (a whole code point: 𠮟 is two UTF-16 units).
 * @param {string} text
 * @returns {string}
 */
export function withoutLast(text) {
  return Array.from(text).slice(0, -1).join('');
}

function parsedText(raw) {
  try {
    const value = JSON.parse(raw);
    return value?.format === FORMAT && typeof value.text === 'string' ? value.text : null;
  } catch {
    return null;
  }
}
