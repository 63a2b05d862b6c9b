// How a photo becomes the model's input, step for step as trainer/photo.py (strokes:
// web/strokes.js).
// `recipe` comes from the model's metadata.json, written by the export.

// A photo file as photo_pixels reads it: upright by its EXIF orientation, colour profiles
// ignored, transparent parts on white. RGBA pixels, row-major.
export async function decodePhoto(file) {
  const bitmap = await createImageBitmap(file, {
    imageOrientation: 'from-image', colorSpaceConversion: 'none',
  });
  const { width, height } = bitmap;
  const context = /** @type {OffscreenCanvasRenderingContext2D} */ (
    new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true }));
  context.fillStyle = '#fff';
  context.fillRect(0, 0, width, height);
  context.drawImage(bitmap, 0, 0); // one to one: no resampling
  bitmap.close();
  return { rgba: context.getImageData(0, 0, width, height).data, width, height };
}

// RGBA pixels -> Float32Array(size * size * 3) of whole grey levels: the centre square (the odd
// pixel left over is cut from the right or bottom) area-averaged to size x size, rounded half up.
export function photoToInput(rgba, width, height, recipe) {
  const { size } = recipe;
  const side = Math.min(width, height);
  const top = Math.floor((height - side) / 2), left = Math.floor((width - side) / 2);
  const weights = areaWeights(size, side);
  const spans = coveredSpans(weights, size, side);

  // Rows first, then columns, as the Python reference: rowsDone is (size, side, 3).
  const rowsDone = new Float64Array(size * side * 3);
  for (let i = 0; i < size; i++) {
    const target = i * side * 3;
    for (let r = spans[i][0]; r < spans[i][1]; r++) {
      const weight = weights[i * side + r];
      const source = ((top + r) * width + left) * 4;
      for (let c = 0; c < side; c++) {
        for (let k = 0; k < 3; k++) rowsDone[target + c * 3 + k] += weight * rgba[source + c * 4 + k];
      }
    }
  }
  const input = new Float32Array(size * size * 3);
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      for (let k = 0; k < 3; k++) {
        let sum = 0;
        for (let c = spans[j][0]; c < spans[j][1]; c++) {
          sum += weights[j * side + c] * rowsDone[(i * side + c) * 3 + k];
        }
        input[(i * size + j) * 3 + k] = Math.round(sum);
      }
    }
  }
  return input;
}

// [first, end) of the source pixels each row of a weight matrix covers: a phone photo is
// thousands of pixels across, each input pixel a few dozen of them.
function coveredSpans(weights, target, source) {
  const spans = [];
  for (let i = 0; i < target; i++) {
    let first = 0;
    while (weights[i * source + first] === 0) first++;
    let end = first;
    while (end < source && weights[i * source + end] !== 0) end++;
    spans.push([first, end]);
  }
  return spans;
}

// Matrix (target x source), row-major: each row averages the source pixels its target pixel covers.
export function areaWeights(target, source) {
  const step = source / target;
  const weights = new Float64Array(target * source);
  for (let i = 0; i < target; i++) {
    const start = i * step, end = (i + 1) * step;
    for (let j = Math.floor(start); j < Math.min(source, Math.ceil(end)); j++) {
      weights[i * source + j] = (Math.min(end, j + 1) - Math.max(start, j)) / step;
    }
  }
  return weights;
}

function clamp(value, low, high) {
  return Math.max(low, Math.min(high, value));
}
