// MNIST-style preprocessing of the pad, step for step as trainer/preprocess.py.
// `recipe` comes from the model's metadata.json, written by the export.

// Grey pixels (row-major, 0..255) -> Float32Array(size * size) of ink 0..255, or null if blank.
export function canvasToInput(gray, width, height, recipe) {
  const { size, box, ink_threshold: threshold, invert } = recipe;
  const ink = new Float64Array(width * height);
  for (let i = 0; i < ink.length; i++) ink[i] = invert ? 255 - gray[i] : gray[i];

  let top = height, bottom = -1, left = width, right = -1;
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      if (ink[r * width + c] > threshold) {
        top = Math.min(top, r); bottom = Math.max(bottom, r);
        left = Math.min(left, c); right = Math.max(right, c);
      }
    }
  }
  if (bottom < 0) return null;

  const cropHeight = bottom - top + 1, cropWidth = right - left + 1;
  const scale = box / Math.max(cropHeight, cropWidth);
  const newHeight = Math.max(1, Math.round(cropHeight * scale));
  const newWidth = Math.max(1, Math.round(cropWidth * scale));
  const rowWeights = areaWeights(newHeight, cropHeight);
  const colWeights = areaWeights(newWidth, cropWidth);

  // small = rowWeights @ crop @ colWeights^T, in the same order as numpy.
  const rowsDone = new Float64Array(newHeight * cropWidth);
  for (let i = 0; i < newHeight; i++) {
    for (let r = 0; r < cropHeight; r++) {
      const weight = rowWeights[i * cropHeight + r];
      if (weight === 0) continue;
      const source = (top + r) * width + left;
      for (let c = 0; c < cropWidth; c++) rowsDone[i * cropWidth + c] += weight * ink[source + c];
    }
  }
  const small = new Float64Array(newHeight * newWidth);
  for (let i = 0; i < newHeight; i++) {
    for (let j = 0; j < newWidth; j++) {
      let sum = 0;
      for (let c = 0; c < cropWidth; c++) sum += rowsDone[i * cropWidth + c] * colWeights[j * cropWidth + c];
      small[i * newWidth + j] = sum;
    }
  }

  let total = 0, rowMoment = 0, colMoment = 0;
  for (let i = 0; i < newHeight; i++) {
    for (let j = 0; j < newWidth; j++) {
      const v = small[i * newWidth + j];
      total += v; rowMoment += v * (i + 0.5); colMoment += v * (j + 0.5);
    }
  }
  const offsetTop = clamp(Math.round(size / 2 - rowMoment / total), 0, size - newHeight);
  const offsetLeft = clamp(Math.round(size / 2 - colMoment / total), 0, size - newWidth);

  const field = new Float32Array(size * size);
  for (let i = 0; i < newHeight; i++) {
    for (let j = 0; j < newWidth; j++) {
      field[(offsetTop + i) * size + offsetLeft + j] = small[i * newWidth + j];
    }
  }
  return field;
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
