// What was drawn, before the model sees it: the characters side by side in a drawing, and whether
// a drawing is a character at all. Strokes are arrays of [x, y] points in any one unit.

// Ink spanning less than this fraction of the drawing area's shorter side is a dot, not a character.
export const MIN_EXTENT = 0.08;

// The longer side of the strokes' bounding box; 0 without points.
export function extent(strokes) {
  const points = strokes.flat();
  if (points.length === 0) return 0;
  const xs = points.map(([x]) => x);
  const ys = points.map(([, y]) => y);
  return Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys));
}

// Strokes grouped into characters, left to right: a group ends where an empty vertical band
// begins. `margin` widens each stroke on both sides (half the pen's width, so touching ink joins).
export function splitCharacters(strokes, margin = 0) {
  const spans = strokes
    .filter((stroke) => stroke.length)
    .map((stroke) => ({
      stroke,
      left: Math.min(...stroke.map(([x]) => x)) - margin,
      right: Math.max(...stroke.map(([x]) => x)) + margin,
    }))
    .sort((a, b) => a.left - b.left);
  const groups = [];
  for (const span of spans) {
    const last = groups[groups.length - 1];
    if (last && span.left <= last.right) {
      last.strokes.push(span.stroke);
      last.right = Math.max(last.right, span.right);
    } else {
      groups.push({ strokes: [span.stroke], right: span.right });
    }
  }
  return groups.map((group) => group.strokes);
}

// The characters of a drawing, left to right: split at empty vertical bands (splitCharacters), or
// every stroke one character for a model that reads one at a time (`oneCharacter`: metadata.json's
// `one_character`), whose characters leave gaps (川, 八, 小).
export function charactersOf(strokes, { oneCharacter = false, margin = 0 } = {}) {
  const drawn = strokes.filter((stroke) => stroke.length);
  if (!oneCharacter) return splitCharacters(drawn, margin);
  return drawn.length ? [drawn] : [];
}

// Why a drawing is not a character the model should read, or null when it is one.
// `input`: the model's input for it (0..255 ink); `limits`: { maxStrokes, inkLimit (mean ink,
// 0..1) } from the model's metadata, either left out when unknown; `areaSide`: the drawing area's
// shorter side in the strokes' unit, for the dot check (left out: no dot check).
/**
 * @param {[number, number][][]} strokes
 * @param {Float32Array | null} input
 * @param {{ maxStrokes?: number, inkLimit?: number }} [limits]
 * @param {number} [areaSide]
 * @returns {{ reason: string, message: string } | null}
 */
export function refusal(strokes, input, { maxStrokes, inkLimit } = {}, areaSide = undefined) {
  const drawn = strokes.filter((stroke) => stroke.length);
  if (!drawn.length || input === null) return { reason: 'empty', message: 'Nothing drawn yet' };
  if (areaSide !== undefined && extent(drawn) < MIN_EXTENT * areaSide) {
    return { reason: 'dot', message: 'That is a dot: draw a whole character' };
  }
  if (maxStrokes !== undefined && drawn.length > maxStrokes) {
    return {
      reason: 'too-many-strokes',
      message: `${drawn.length} strokes are too many for one character: clear and draw one`,
    };
  }
  if (inkLimit !== undefined && inkLimit !== null && meanInk(input) > inkLimit) {
    return { reason: 'too-much-ink', message: 'Too much ink for one character: clear and draw one' };
  }
  return null;
}

// Mean ink of a model input, 0..1.
export function meanInk(input) {
  let total = 0;
  for (const value of input) total += value;
  return total / input.length / 255;
}
