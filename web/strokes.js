// Pen strokes -> model input, step for step as trainer/strokes.py. Each character is rendered
// straight at the model's scale: the ink's longer side spans the recipe's `box`, drawn with a
// round pen `pen` x `box` pixels wide along the straight segments between the points,
// `oversample` times finer, area-averaged down and centred by its mass. The cost does not depend
// on the pad's size or pixel density, and neither does the pen's width. The rasteriser is our own
// (ink = the distance to the nearest segment, against the pen's radius): plain arithmetic, so
// Python computes the same pixels, and it needs no canvas, in a page, a worker or Node.

// Strokes: arrays of [x, y] points in any units with y down. Null when there is no point.
/**
 * @param {[number, number][][]} strokes
 * @param {{ size: number, box: number, pen: number, oversample: number }} recipe
 * @returns {Float32Array | null}
 */
export function strokesToInput(strokes, recipe) {
  if (!strokes.some((stroke) => stroke.length)) return null;
  const { size, oversample } = recipe;
  return centreByMass(blockAverage(render(strokes, recipe), size, oversample), recipe);
}

// Ink 0..255 a pixel, row-major, on the oversampled canvas: for each pixel centre, the pen's
// radius minus its distance to the nearest segment, as a one-pixel ramp.
export function render(strokes, recipe) {
  const side = recipe.size * recipe.oversample;
  const { centre: [cx, cy], perUnit, pen } = placement(strokes, recipe);
  const reach = pen / 2 + 0.5; // pixels further than this from a segment get no ink
  const ink = new Float64Array(side * side);
  for (const stroke of strokes) {
    const points = stroke.map(([x, y]) => [side / 2 + (x - cx) * perUnit, side / 2 + (y - cy) * perUnit]);
    if (points.length === 1) inkSegment(ink, side, reach, points[0], points[0]); // a dot
    for (let i = 1; i < points.length; i++) inkSegment(ink, side, reach, points[i - 1], points[i]);
  }
  return ink;
}

// Ink along one segment: the pixels within `reach` of it, each kept at its largest value.
function inkSegment(ink, side, reach, [ax, ay], [bx, by]) {
  const [top, bottom] = reached(ay, by, reach, side);
  const [left, right] = reached(ax, bx, reach, side);
  const dx = bx - ax, dy = by - ay;
  const length2 = dx * dx + dy * dy;
  for (let r = top; r <= bottom; r++) {
    const py = r + 0.5 - ay;
    for (let c = left; c <= right; c++) {
      const px = c + 0.5 - ax;
      const t = length2 > 0 ? Math.min(1, Math.max(0, (px * dx + py * dy) / length2)) : 0;
      const ex = px - t * dx, ey = py - t * dy;
      const distance2 = ex * ex + ey * ey;
      if (distance2 >= reach * reach) continue;
      const value = 255 * Math.min(1, reach - Math.sqrt(distance2));
      if (value > ink[r * side + c]) ink[r * side + c] = value;
    }
  }
}

// First and last pixel rows (or columns) within `reach` of a segment from a to b.
function reached(a, b, reach, side) {
  return [Math.max(0, Math.floor(Math.min(a, b) - reach)), Math.min(side - 1, Math.ceil(Math.max(a, b) + reach))];
}

// Where the strokes go on the oversampled canvas: the centre of their points' box, pixels per
// unit, and the pen's width in pixels, so that the ink, pen included, spans `box` along its
// longer side.
export function placement(strokes, { box, pen, oversample }) {
  const points = strokes.flat();
  const xs = points.map(([x]) => x), ys = points.map(([, y]) => y);
  const [left, right, top, bottom] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const span = Math.max(right - left, bottom - top);
  const penPixels = pen * box;
  const perUnit = span > 0 ? ((box - penPixels) / span) * oversample : 0;
  // A span too small to divide by (1e-320) is a dot, as trainer/strokes.py draws it.
  return {
    centre: [(left + right) / 2, (top + bottom) / 2],
    perUnit: Number.isFinite(perUnit) ? perUnit : 0,
    pen: penPixels * oversample,
  };
}

// Means of the `factor` x `factor` blocks of a square image (row-major) -> Float64Array(size^2).
export function blockAverage(pixels, size, factor) {
  const side = size * factor;
  const field = new Float64Array(size * size);
  for (let r = 0; r < side; r++) {
    for (let c = 0; c < side; c++) field[Math.floor(r / factor) * size + Math.floor(c / factor)] += pixels[r * side + c];
  }
  for (let i = 0; i < field.length; i++) field[i] /= factor * factor;
  return field;
}

// The field moved by whole pixels so that its centre of mass is at the centre, by no more than
// keeps the ink's box (centred, `box` wide) inside. Float32Array(size^2), the model's input.
export function centreByMass(field, { size, box }) {
  let total = 0, rowMoment = 0, colMoment = 0;
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      const v = field[i * size + j];
      total += v; rowMoment += v * (i + 0.5); colMoment += v * (j + 0.5);
    }
  }
  const slack = Math.floor((size - box) / 2);
  const down = clamp(Math.round(size / 2 - rowMoment / total), -slack, slack);
  const right = clamp(Math.round(size / 2 - colMoment / total), -slack, slack);
  const moved = new Float32Array(size * size);
  for (let i = Math.max(0, down); i < size + Math.min(0, down); i++) {
    for (let j = Math.max(0, right); j < size + Math.min(0, right); j++) {
      moved[i * size + j] = field[(i - down) * size + j - right];
    }
  }
  return moved;
}

function clamp(value, low, high) {
  return Math.max(low, Math.min(high, value));
}
