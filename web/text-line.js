// The text a person writes one character at a time (the candidates they tap), kept in the
// browser so that it survives a reload. Pure functions: the storage (localStorage in the page) is
// passed in.

export const TEXT_KEY = 'drawrecog-text-line';
export const TEXT_SET_ASIDE_KEY = 'drawrecog-text-line-set-aside'; // a stored value that was not one
const FORMAT = 1; // what is stored: {"format": 1, "text": "..."}

/**
 * The text stored, '' when none; a stored value that is not a text line (damaged, or written by
 * something else) is moved to TEXT_SET_ASIDE_KEY, where nothing reads it, and `setAside` is true.
 * @param {Storage} storage
 * @returns {{ text: string, setAside: boolean }}
 */
export function readText(storage) {
  const raw = storage.getItem(TEXT_KEY);
  if (raw === null) return { text: '', setAside: false };
  const text = parsedText(raw);
  if (text !== null) return { text, setAside: false };
  storage.setItem(TEXT_SET_ASIDE_KEY, raw);
  storage.removeItem(TEXT_KEY);
  return { text: '', setAside: true };
}

/** @param {Storage} storage @param {string} text */
export function writeText(storage, text) {
  storage.setItem(TEXT_KEY, JSON.stringify({ format: FORMAT, text }));
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
