// A taught drawing drawn again a little differently: turned, slanted and stretched, as the same
// person might draw it another time. The personal head learns from these beside the drawing
// itself (web/recognizer.js), so that a few drawings a label teach what many would. Seeded: a
// drawing and a seed always give the same variations, and so the same head.

/** Variations taught beside each drawing. */
export const VARIATIONS = 8;
const TURN = 0.17; // radians either way (10 degrees)
const SLANT = 0.2; // horizontal shear either way
const STRETCH = 0.15; // each axis scaled by up to e^0.15 (16%) either way

/**
 * @param {[number, number][][]} strokes
 * @param {number} seed any integer
 * @returns {[number, number][][][]} VARIATIONS drawings of the strokes
 */
export function variationsOf(strokes, seed) {
  const random = mulberry32(seed);
  const either = (/** @type {number} */ limit) => (2 * random() - 1) * limit;
  return Array.from({ length: VARIATIONS }, () => {
    const turn = either(TURN), slant = either(SLANT);
    const sx = Math.exp(either(STRETCH)), sy = Math.exp(either(STRETCH));
    const cos = Math.cos(turn), sin = Math.sin(turn);
    // turn x slant x stretch, as one matrix [[a, b], [c, d]]
    const a = cos * sx, b = (cos * slant - sin) * sy;
    const c = sin * sx, d = (sin * slant + cos) * sy;
    return strokes.map((stroke) => stroke.map(([x, y]) => /** @type {[number, number]} */ (
      [a * x + b * y, c * x + d * y])));
  });
}

// A small seeded generator (Tommy Ettinger's Mulberry32): uniform in [0, 1).
function mulberry32(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
