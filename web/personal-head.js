// The personal head's arithmetic, for recognizer-worker.js (a classic script it imports: plain
// functions on typed arrays, no TF.js). A head is { rows, bias, size }: one row of `size` weights
// a label and one bias a label, the model's labels first, then the person's own; { drawn,
// drawnLabels, drawnAlike }: the pooled features of each drawing taught, scaled to length 1, the
// index of its label and the likeness from which it counts; and `sureUpTo`, a label's most
// confident model answer it may override. The head is fitted on the drawings and their variations
// (web/variations.js).
//
// It reads a drawing by its logits under the head plus, for each label taught, RESEMBLANCE times
// how far the drawing's likeness to the person's closest drawing of it (the cosine of their pooled
// features) passes that drawing's `drawnAlike` (ALIKE, scaled to the same range above others): a
// person's 1 that the model reads as a 7 is read by what their own 1s look like. Only a close likeness counts, so one odd drawing of a label (a 8
// that looks like nothing else they draw) takes nothing from the drawings of it that do not
// resemble it.
//
// Teaching knows what it does not know:
// - A label of the person's own is fitted beside the model's reference drawings (metadata.json's
//   "references", each counted REFERENCE_WEIGHT times), so that its row learns what sets it apart
//   from what the model reads; only its own row moves. It may win only where the drawing resembles
//   one of the person's drawings of it as closely as that drawing resembles its closest other
//   drawing of the label (leave-one-out over them), or OWN_ALIKE where that is closer (drawings
//   drawn one after another are near-duplicates, which their later drawings are not), and where
//   the model is no surer of its own answer than it was of theirs (plus SURE_SLACK). Elsewhere it
//   stays GATED_MARGIN below the answer: it cannot win, but a drawing like it is "not sure".
//   Their digits, which the model reads surely, stay digits.
// - A drawing of a model's label counts past its likeness to the person's drawings of other
//   labels where it resembles one of those more than any other drawing of its own label.
// - A drawing taught as a label the model does not read there, that no other drawing of that
//   label resembles (AGREE), is lone until a second drawing like it agrees: it may be a mistaken
//   tap, and counts only for its near-duplicates (NEAR). If the model was sure of its own answer
//   (at or above the export's not-sure threshold) it is left out of the fit. If not, it is the
//   correction the page asked for: it is fitted without its variations (with them, one drawing
//   turned every other drawing of that digit), and its label, where the model does not read it,
//   is read with care as a label of the person's own is (`sureUpTo`, the page's threshold): it
//   wins only on near-duplicates the page is not sure of either.

// The personal head: multinomial logistic regression on the features, started from the output
// layer and held close to it (biased regularization, Kienzle and Chellapilla, ICML 2006):
//   minimise  sum over drawings of -log p(its label)  +  REGULARIZATION / 2 * |head - prior|^2
// where the prior is the output layer, and for a label of the person's own a row pointing along
// its drawings' mean features ("imprinted", Qi et al., CVPR 2018), as long as the model's rows.
// The more drawings, the further they may pull the head. Only the rows of the drawings' labels
// and of each drawing's likeliest labels move, and with thousands of labels each input's softmax
// moves only over its own active labels: its label, its LIKELIEST likeliest labels under the prior
// and the person's own labels (widened as the rows move, WIDEN_EVERY); every other label's logit
// stays as it started for that input, and a moving row learns only from the inputs whose active
// labels hold it. A step so costs inputs x some 10-20 rows x features, for 2,279 labels as for 10;
// reading every label's logit is what thousands of labels cost (`node benchmarks/fit_head.mjs`,
// BENCHMARKS.md). With EXACT_UP_TO moving labels or fewer (the digits and the person's own), every
// input reads every moving label: the exact fit. Nesterov's accelerated gradient, until the slope
// is flat or for STEPS steps: with 50 drawings and their variations, 60 steps read the writer's
// other drawings as the optimum does (231 steps), in a quarter of the time.
const REGULARIZATION = 1;
const LIKELIEST = 10;
const STEPS = 60;
const TOLERANCE = 1e-3; // the loss's largest slope along any weight, at which fitting stops
// Up to this many moving labels, every input's softmax reads them all (the exact fit): a digits
// model's 10 labels and a few of the person's own cost little so.
const EXACT_UP_TO = 32;
// Beyond, every WIDEN_EVERY steps and before it stops, the fit widens each input's active labels by
// the moving labels that now rank among its LIKELIEST under the rows being fitted, so that a taught
// label's row that rises on other drawings is held back by them, as in the exact fit. With 200
// corrections of 2,279 labels, the fit reads 3 of 200 untaught drawings otherwise than the exact
// fit (`node benchmarks/fit_head.mjs`); without widening, about three times as many, and widening
// every 10 steps read about as many as every 20, at more cost.
const WIDEN_EVERY = 20;
// A model of more labels than this (the Japanese model's 2,279, not the digits' 10) reads a taught
// label with care (fitHead): three drawings each of 23 characters it misread, in one hand, read
// 0.3% of 77 other characters' drawings in that hand right without (74% before teaching); with,
// 49% of 252 (70% before; benchmarks.japanese_teach, 300 characters, 48 taught).
const MANY_LABELS = 32;
// Chosen with 1 to 5 drawings a digit (benchmarks/teach_writers.py) on pendigits' writers 21-30
// and UNIPEN's GMD and Valladolid writers: cosines of a writer's drawings of one digit are mostly
// 0.6-0.8, of two digits 0.0-0.4. RESEMBLANCE 10 learns less; 30, or ALIKE 0.5, reads worse.
const RESEMBLANCE = 20;
const ALIKE = 0.3;
// Chosen on writers the benchmark does not report: pendigits' writers 1-20 and 12 UNIPEN writers of
// other sources than GMD and Valladolid who drew symbols of their own (all of whom the default
// model trained on), with this file's arithmetic run in Node on their features. NEAR 0.9 let a
// tap flip 5 times as many drawings; SURE_SLACK 0 read a tenth fewer of the new labels; a resemblance term for the new labels, or their rows fitted without references,
// took 1-6 pt of some writers' digits; REFERENCE_WEIGHT 4 kept every digit but read fewer of the
// new labels. With tests/test_teach_writers.py's tiny model, a lone correction of an unsure
// answer left out of the fit read writer 21 worse after one drawing a digit; fitted with its
// variations, a mistaken tap on a drawing the model read right but unsurely turned every other
// drawing of that digit (71 of 4,782 on pendigits 1-20, 17 without them). On those and 31 UNIPEN
// writers of other sources (`--unipen-sources`), a likeness calibrated per drawing, not the least
// over the label, took the worst writer's loss of digits from 2.2 pt to 0.2 and read 1.6-2.7 pt
// fewer of the new labels. On the same writers (`node` on the model's features of their drawings,
// k = 1, 2 and 5 drawings a digit; one tap per digit), a lone correction that counted past ALIKE
// and whose fitted row won everywhere flipped 17 of 4,782 pendigits drawings (40% of writer 12's
// 1s) and 77 of 6,305 UNIPEN ones (all of one writer's 0s); counted past NEAR and read with care,
// 2 (4%) and 16 (one of 9), for 0.1 pt of UNIPEN's help at k = 1 and 2 (99.34 -> 99.26%, 99.42
// -> 99.32%). Likeness past the person's other labels took pendigits' help at k = 1 from 99.48%
// (writer 20: 6.7 pt worse) to 99.77% (no writer 0.5 pt worse), and left k = 2 and 5 within
// 0.02 pt (calibrating every drawing, not only those nearer another label, cost UNIPEN 0.06 pt
// at k = 5). A new label's leave-one-out likeness, less 0.15, read 88.1% of UNIPEN's and 94.0% of
// pendigits' other drawings of the new labels, and took 0.25 pt (the worst writer 2.4) and 0.06
// pt of their digits; up to OWN_ALIKE 0.55 at most, 93.2% and 95.4%, for 0.13 pt (worst 1.5) and
// 0.04. (0.6: 89.4%, 0.10 pt; 0.5: 95.0%, 0.27 pt; a per-answer sureness limit, 85%, 0.19 pt.)
const AGREE = 0.5;
const NEAR = 0.95;
const OWN_ALIKE = 0.55;
const SURE_SLACK = 0.1;
const GATED_MARGIN = 0.1;
// A symbol the model reads surely as a digit (a + drawn like a 7, read 7 at 0.92) has a sureness
// bound past 1, so only its row, fitted beside the references, keeps the person's 7s theirs. On
// the tuning writers (4 new labels), 4 took the worst writer's loss of digits from 1.51 pt to 0.86
// (UNIPEN's syn/tds-dig21; 3: 1.30) for 0.9-1.7 pt of the new labels read (with their sureness
// slack 0.15, or 0.1); but the page, on the writers the benchmark reports, then read 85.0% of GMD's
// and Valladolid's new labels (91.5% with 2; the target is 90%), so 2 stays.
const REFERENCE_WEIGHT = 2;

// Fits a head on the drawings (the first `drawings` rows of `features`, `drawn` their pooled
// features of length 1) and their variations (the rest, each drawing's in turn). `notSure`: the
// model's top probability below which the page says "not sure" (web/metadata.js notSureThreshold);
// `references`: metadata.json's reference drawings as recognizer-worker.js decodes them, or null.
/** @param {{ features: Float32Array, labels: Int32Array } | null} [references] */
function fitHead(prior, features, targets, labelCount, drawn, drawings, notSure, references = null) {
  const { size } = prior;
  const priorLabels = prior.bias.length;
  const perDrawing = (targets.length - drawings) / drawings;
  const drawingOf = (i) => (i < drawings ? i : Math.floor((i - drawings) / perDrawing));
  // The model's answers that the fit asks about: the drawings', and every input of a person's own
  // label (the variations of a model's label are not asked: with thousands of labels, reading
  // them would take most of the fit's time).
  const asked = [...targets.keys()].filter((i) => i < drawings || targets[i] >= priorLabels);
  const sure = modelSurenessOf(prior, features, asked, targets.length);
  // Each pair of drawings' likeness, computed once: the rules below ask for most pairs, twice.
  const likeness = new Float64Array(drawings * drawings).fill(NaN);
  const cosine = (a, b) => {
    if (Number.isNaN(likeness[a * drawings + b])) {
      likeness[a * drawings + b] = likeness[b * drawings + a] = dot(drawn, a, drawn, b, drawn.length / drawings);
    }
    return likeness[a * drawings + b];
  };
  // A model of many labels (more than MANY_LABELS), of which a person teaches a few: their drawings
  // share the person's hand, which the model's other labels never saw taught, so a taught label
  // wins only where a drawing resembles the person's drawings of it more than their drawings of
  // any other label, and where the model is no surer than it was on theirs.
  const many = priorLabels > MANY_LABELS;
  const drawnAlike = new Float32Array(drawings).fill(ALIKE);
  const sureUpTo = new Float32Array(labelCount).fill(Infinity);
  // A label read with care is read where the model is no surer than it was on these inputs of it.
  const noSurerThan = (inputs) => inputs.reduce((surest, i) => Math.max(surest, sure.prob[i]), 0) + SURE_SLACK;
  const lone = new Uint8Array(drawings); // a contradiction no other drawing agrees with
  const correction = new Uint8Array(drawings); // ... of an answer the model was not sure of
  for (let d = 0; d < drawings; d++) {
    const target = targets[d];
    if (target >= priorLabels || sure.label[d] === target) continue;
    const agreed = targets.slice(0, drawings).some((other, e) => e !== d && other === target
      && cosine(d, e) >= AGREE);
    if (agreed) continue;
    lone[d] = 1;
    drawnAlike[d] = NEAR;
    if (sure.prob[d] < notSure) correction[d] = 1;
  }
  // A drawing of a model's label that resembles one of the person's drawings of another label more
  // than any other of its own counts only past that likeness: with one drawing a digit, their 4
  // may resemble their 9 more than a 4 they draw next resembles it.
  for (let d = 0; d < drawings; d++) {
    if (targets[d] >= priorLabels || lone[d]) continue;
    let other = -Infinity, same = -Infinity;
    for (let e = 0; e < drawings; e++) {
      if (targets[e] !== targets[d]) other = Math.max(other, cosine(d, e));
      else if (e !== d) same = Math.max(same, cosine(d, e));
    }
    if (other > same || many) drawnAlike[d] = Math.max(ALIKE, other);
  }
  // A model label taught by lone corrections alone counts only where the page is not sure either;
  // with many labels, any taught label is read with care, as a label of the person's own is.
  for (let label = 0; label < priorLabels; label++) {
    const counted = [...Array(drawings).keys()].filter((d) => targets[d] === label && (!lone[d] || correction[d]));
    if (counted.length && counted.every((d) => correction[d])) sureUpTo[label] = notSure;
    else if (counted.length && many) sureUpTo[label] = noSurerThan(counted);
  }
  for (let label = priorLabels; label < labelCount; label++) {
    const own = [...Array(drawings).keys()].filter((d) => targets[d] === label);
    const closestOther = own.map((d) => Math.max(...own.filter((e) => e !== d).map((e) => cosine(d, e))));
    own.forEach((d, k) => { drawnAlike[d] = Math.max(ALIKE, Math.min(OWN_ALIKE, closestOther[k])); });
    sureUpTo[label] = noSurerThan([...targets.keys()].filter((i) => targets[i] === label));
  }
  // A lone correction is fitted without its variations: they would turn the whole class.
  const kept = [...targets.keys()].filter((i) => !lone[drawingOf(i)] || (correction[drawingOf(i)] && i < drawings));
  const anchorSet = kept.length && labelCount > priorLabels ? references : null;
  const weight = anchorSet ? REFERENCE_WEIGHT : 0;
  const anchors = anchorSet ? anchorSet.labels.length : 0;
  const keptFeatures = new Float32Array((kept.length + weight * anchors) * size);
  kept.forEach((i, k) => keptFeatures.set(features.subarray(i * size, (i + 1) * size), k * size));
  for (let w = 0; anchorSet && w < weight; w++) keptFeatures.set(anchorSet.features, (kept.length + w * anchors) * size);
  const keptTargets = Int32Array.from([...kept.map((i) => targets[i]),
    ...(anchorSet ? Array.from({ length: weight }, () => [...anchorSet.labels]).flat() : [])]);
  const { rows, bias } = fitRows(prior, keptFeatures, keptTargets, labelCount, kept.length);
  return { rows, bias, size, drawnAlike, sureUpTo };
}

// The model's own answer for each row of features, and its probability.
function modelSureness(prior, features, count) {
  const labels = prior.bias.length;
  const label = new Int32Array(count);
  const prob = new Float64Array(count);
  const logits = allLogits(prior, features, count);
  for (let i = 0; i < count; i++) {
    let largest = -Infinity;
    for (let l = 0; l < labels; l++) {
      if (logits[i * labels + l] > largest) { largest = logits[i * labels + l]; label[i] = l; }
    }
    let total = 0;
    for (let l = 0; l < labels; l++) total += Math.exp(logits[i * labels + l] - largest);
    prob[i] = 1 / total;
  }
  return { label, prob };
}

// modelSureness of the rows `asked` of the features, in arrays of `count` (a label of -1 and a
// probability of 0 for the rows not asked).
function modelSurenessOf(prior, features, asked, count) {
  const { size } = prior;
  const chosen = new Float32Array(asked.length * size);
  asked.forEach((i, k) => chosen.set(features.subarray(i * size, (i + 1) * size), k * size));
  const some = modelSureness(prior, chosen, asked.length);
  const label = new Int32Array(count).fill(-1);
  const prob = new Float64Array(count);
  asked.forEach((i, k) => { label[i] = some.label[k]; prob[i] = some.prob[k]; });
  return { label, prob };
}

// Row a of `left` times row b of `right`, rows of `size`.
function dot(left, a, right, b, size) {
  let sum = 0;
  for (let j = 0; j < size; j++) sum += left[a * size + j] * right[b * size + j];
  return sum;
}

function fitRows(prior, features, targets, labelCount, own = targets.length) {
  const { size } = prior;
  const count = targets.length;
  const rows = new Float32Array(labelCount * size);
  rows.set(prior.rows);
  const bias = new Float32Array(labelCount);
  bias.set(prior.bias);
  imprintNewLabels({ rows, bias, size }, prior, features.subarray(0, own * size), targets.subarray(0, own));
  const logits = allLogits({ rows, bias, size }, features, count);
  const moving = movingLabels(logits, targets.subarray(0, own), labelCount, prior.bias.length);
  let active = activeLabels(logits, targets, moving, labelCount, prior.bias.length);
  let rest = restLogSumExp(logits, moving, active, labelCount);
  // The moving rows, each with its bias as a last column: theta, its prior and Nesterov's lookahead.
  const width = size + 1;
  const start = new Float64Array(moving.length * width);
  moving.forEach((label, m) => {
    start.set(rows.subarray(label * size, (label + 1) * size), m * width);
    start[m * width + size] = bias[label];
  });
  const targetAt = Int32Array.from(targets, (label) => moving.indexOf(label));
  const smoothness = REGULARIZATION + largestEigenvalue(features, count, size) / 2;
  const step = 1 / smoothness;
  const root = Math.sqrt(smoothness / REGULARIZATION);
  const momentum = (root - 1) / (root + 1);
  let theta = Float64Array.from(start);
  let previous = Float64Array.from(start);
  const lookahead = new Float64Array(start.length);
  const gradient = new Float64Array(start.length);
  const probs = new Float64Array(moving.length);
  for (let t = 0; t < STEPS; t++) {
    for (let k = 0; k < theta.length; k++) {
      lookahead[k] = theta[k] + momentum * (theta[k] - previous[k]);
      gradient[k] = REGULARIZATION * (lookahead[k] - start[k]);
    }
    addLossGradient(gradient, lookahead, features, size, active, rest, targetAt, probs);
    [previous, theta] = [theta, previous]; // the step overwrites the point before last
    let steepest = 0;
    for (let k = 0; k < theta.length; k++) {
      steepest = Math.max(steepest, Math.abs(gradient[k]));
      theta[k] = lookahead[k] - step * gradient[k];
    }
    const widening = moving.length > EXACT_UP_TO && t < STEPS - 1
      && (steepest < TOLERANCE || (t + 1) % WIDEN_EVERY === 0);
    const wider = widening ? widenedLabels(active, lookahead, logits, features, size, moving) : null;
    if (wider) [active, rest] = [wider, restLogSumExp(logits, moving, wider, labelCount)];
    else if (steepest < TOLERANCE) { // at the optimum, as near as makes no difference
      theta = lookahead; // the point whose slope that is, not the step from it
      break;
    }
  }
  moving.forEach((label, m) => {
    rows.set(theta.subarray(m * width, m * width + size), label * size);
    bias[label] = theta[m * width + size];
  });
  return { rows, bias, size };
}

// Adds to `gradient` the slope of the inputs' cross-entropy at the moving rows `theta` (each
// `size` weights and a bias): each input's softmax over its active labels and its `rest`.
function addLossGradient(gradient, theta, features, size, active, rest, targetAt, probs) {
  const width = size + 1;
  for (let i = 0; i < rest.length; i++) {
    const from = active.start[i];
    const to = active.start[i + 1];
    const feature = i * size;
    let largest = rest[i];
    for (let a = from; a < to; a++) {
      const row = active.moving[a] * width;
      let z = theta[row + size];
      for (let j = 0; j < size; j++) z += theta[row + j] * features[feature + j];
      probs[a - from] = z;
      largest = Math.max(largest, z);
    }
    let total = Math.exp(rest[i] - largest);
    for (let a = from; a < to; a++) total += (probs[a - from] = Math.exp(probs[a - from] - largest));
    for (let a = from; a < to; a++) {
      const m = active.moving[a];
      const row = m * width;
      const g = probs[a - from] / total - (m === targetAt[i] ? 1 : 0);
      for (let j = 0; j < size; j++) gradient[row + j] += g * features[feature + j];
      gradient[row + size] += g;
    }
  }
}

function imprintNewLabels(head, prior, features, targets) {
  const { size } = prior;
  const priorLabels = prior.bias.length;
  let length = 0;
  for (let k = 0; k < prior.rows.length; k++) length += prior.rows[k] ** 2;
  length = Math.sqrt(length / priorLabels); // the model's rows' root-mean-square length
  const meanBias = prior.bias.reduce((sum, value) => sum + value, 0) / priorLabels;
  for (let label = priorLabels; label < head.bias.length; label++) {
    const mean = new Float64Array(size);
    targets.forEach((target, i) => {
      if (target === label) for (let j = 0; j < size; j++) mean[j] += features[i * size + j];
    });
    const norm = Math.hypot(...mean) || 1;
    for (let j = 0; j < size; j++) head.rows[label * size + j] = (mean[j] / norm) * length;
    head.bias[label] = meanBias;
  }
}

// Every label's logit for each row of features, row after row. The weights are read transposed
// (one feature's weight for every label in a row), so that the inner loop runs along the labels
// and skips a feature of zero (most are, after ReLU): for 2,279 labels, a fifth of the time of a
// dot product per label (`node benchmarks/fit_head.mjs`).
function allLogits({ rows, bias, size }, features, count) {
  const labelCount = bias.length;
  const columns = transposed(rows, labelCount, size);
  const logits = new Float64Array(count * labelCount);
  for (let i = 0; i < count; i++) {
    const row = logits.subarray(i * labelCount, (i + 1) * labelCount);
    row.set(bias);
    for (let j = 0; j < size; j++) {
      const feature = features[i * size + j];
      if (feature === 0) continue;
      const offset = j * labelCount;
      for (let label = 0; label < labelCount; label++) row[label] += feature * columns[offset + label];
    }
  }
  return logits;
}

// A head's weights, one feature a row, made once per weights array (the model's are read on
// every answer).
const transposes = new WeakMap();
function transposed(rows, labelCount, size) {
  let columns = transposes.get(rows);
  if (!columns) {
    columns = new Float32Array(labelCount * size);
    for (let label = 0; label < labelCount; label++) {
      for (let j = 0; j < size; j++) columns[j * labelCount + label] = rows[label * size + j];
    }
    transposes.set(rows, columns);
  }
  return columns;
}

// The drawings' labels, and each drawing's LIKELIEST labels under the prior.
function movingLabels(logits, targets, labelCount, priorLabels) {
  const moving = new Set(targets);
  targets.forEach((target, i) => {
    if (target >= priorLabels) return; // a label of the person's own moves its row alone
    for (const label of likeliest(logits.subarray(i * labelCount, (i + 1) * labelCount))) moving.add(label);
  });
  return [...moving].sort((a, b) => a - b);
}

// The LIKELIEST labels of a row of logits, the likeliest first (of equal logits, the first label).
function likeliest(row) {
  const top = []; // labels, their logits falling
  for (let label = 0; label < row.length; label++) {
    if (top.length === LIKELIEST && row[label] <= row[top[LIKELIEST - 1]]) continue;
    let at = top.length;
    while (at > 0 && row[top[at - 1]] < row[label]) at--;
    top.splice(at, 0, label);
    if (top.length > LIKELIEST) top.pop();
  }
  return top;
}

// For each input, the moving labels its softmax reads as they move (indexes into `moving`, rising):
// all of them where they are few (EXACT_UP_TO); else its label, its LIKELIEST labels and the
// person's own labels, those that move.
function activeLabels(logits, targets, moving, labelCount, priorLabels) {
  const count = targets.length;
  if (moving.length <= EXACT_UP_TO) {
    return { start: Int32Array.from({ length: count + 1 }, (_, i) => i * moving.length),
      moving: Int32Array.from({ length: count * moving.length }, (_, a) => a % moving.length) };
  }
  const indexOf = movingIndexes(moving, labelCount);
  const ownLabels = moving.filter((label) => label >= priorLabels);
  const start = new Int32Array(count + 1);
  const chosen = [];
  for (let i = 0; i < count; i++) {
    const labels = [targets[i], ...likeliest(logits.subarray(i * labelCount, (i + 1) * labelCount)), ...ownLabels];
    const indexes = new Set(labels.map((label) => indexOf[label]));
    indexes.delete(-1);
    chosen.push(...[...indexes].sort((a, b) => a - b));
    start[i + 1] = chosen.length;
  }
  return { start, moving: Int32Array.from(chosen) };
}

// Each label's index in `moving`, -1 for the labels that do not move.
function movingIndexes(moving, labelCount) {
  const indexOf = new Int32Array(labelCount).fill(-1);
  moving.forEach((label, m) => { indexOf[label] = m; });
  return indexOf;
}

// Each input's active labels (activeLabels) and the moving labels that rank among its LIKELIEST
// under `theta` (the other labels at their start); null where no input's widens.
function widenedLabels(active, theta, logits, features, size, moving) {
  const count = active.start.length - 1;
  const labelCount = logits.length / count;
  const width = size + 1;
  const indexOf = movingIndexes(moving, labelCount);
  const rows = new Float32Array(moving.length * size);
  const bias = new Float32Array(moving.length);
  for (let m = 0; m < moving.length; m++) {
    rows.set(theta.subarray(m * width, m * width + size), m * size);
    bias[m] = theta[m * width + size];
  }
  const now = allLogits({ rows, bias, size }, features, count);
  const row = new Float64Array(labelCount);
  const start = new Int32Array(count + 1);
  const chosen = [];
  let widened = false;
  for (let i = 0; i < count; i++) {
    row.set(logits.subarray(i * labelCount, (i + 1) * labelCount));
    for (let m = 0; m < moving.length; m++) row[moving[m]] = now[i * moving.length + m];
    const current = active.moving.subarray(active.start[i], active.start[i + 1]);
    const indexes = new Set([...current, ...likeliest(row).map((label) => indexOf[label])]);
    indexes.delete(-1);
    widened ||= indexes.size > current.length;
    chosen.push(...[...indexes].sort((a, b) => a - b));
    start[i + 1] = chosen.length;
  }
  return widened ? { start, moving: Int32Array.from(chosen) } : null;
}

// For each input, log(sum of exp(logit)) over the labels it does not read as they move (its
// `active` ones), at their start (-Infinity: none).
function restLogSumExp(logits, moving, active, labelCount) {
  const count = active.start.length - 1;
  const reads = new Uint8Array(labelCount);
  const rest = new Float64Array(count).fill(-Infinity);
  for (let i = 0; i < count; i++) {
    const [from, to] = [active.start[i], active.start[i + 1]];
    if (to - from === labelCount) continue;
    for (let a = from; a < to; a++) reads[moving[active.moving[a]]] = 1;
    const row = logits.subarray(i * labelCount, (i + 1) * labelCount);
    let largest = -Infinity;
    for (let label = 0; label < labelCount; label++) if (!reads[label]) largest = Math.max(largest, row[label]);
    let total = 0;
    for (let label = 0; label < labelCount; label++) if (!reads[label]) total += Math.exp(row[label] - largest);
    rest[i] = largest + Math.log(total);
    for (let a = from; a < to; a++) reads[moving[active.moving[a]]] = 0;
  }
  return rest;
}

// The largest eigenvalue of the sum over drawings of [f, 1][f, 1]^T: the loss's curvature, twice
// at most, and so the step size. Power iteration on that (size + 1) x (size + 1) matrix.
function largestEigenvalue(features, count, size) {
  const width = size + 1;
  const matrix = new Float64Array(width * width);
  const row = new Float64Array(width);
  for (let i = 0; i < count; i++) {
    row.set(features.subarray(i * size, (i + 1) * size));
    row[size] = 1;
    for (let a = 0; a < width; a++) {
      if (row[a] === 0) continue; // ReLU features are mostly zeros
      for (let b = 0; b < width; b++) matrix[a * width + b] += row[a] * row[b];
    }
  }
  let vector = new Float64Array(width).fill(1 / Math.sqrt(width));
  let value = 0;
  for (let t = 0; t < 50; t++) {
    const next = new Float64Array(width);
    for (let a = 0; a < width; a++) for (let b = 0; b < width; b++) next[a] += matrix[a * width + b] * vector[b];
    value = Math.hypot(...next);
    vector = next.map((x) => x / value);
  }
  return value * 1.01; // power iteration approaches it from below
}

// Every label's probability for each drawing, from a head: `features` are the model's features
// of the drawings, one row each, and `cosines` how much each resembles each drawing taught (the
// cosine of their pooled features, one row a drawing read, one column a drawing taught); `prior`
// the model's output layer, whose sureness a label of the person's own must not pass.
function headProbabilities(head, features, cosines, prior) {
  const { rows, bias, size, drawnLabels, drawnAlike, sureUpTo } = head;
  const labelCount = bias.length;
  const count = features.length / size;
  const sure = modelSureness(prior, features, count);
  const probs = new Float32Array(count * labelCount);
  const logits = new Float64Array(labelCount);
  const closest = new Float64Array(labelCount);
  for (let i = 0; i < count; i++) {
    for (let label = 0; label < labelCount; label++) {
      let z = bias[label];
      for (let j = 0; j < size; j++) z += rows[label * size + j] * features[i * size + j];
      logits[label] = z;
    }
    // How far the likeness passes the drawing's own `drawnAlike`, as a share of the way to 1, at
    // the closest drawing of each label: a near-duplicate of a lone drawing counts fully.
    closest.fill(-Infinity);
    drawnLabels.forEach((label, d) => {
      const past = (cosines[i * drawnLabels.length + d] - drawnAlike[d]) / (1 - drawnAlike[d]);
      closest[label] = Math.max(closest[label], past);
    });
    let largest = -Infinity;
    const gated = [];
    for (let label = 0; label < labelCount; label++) {
      const own = label >= prior.bias.length;
      if (!own && sure.prob[i] <= sureUpTo[label]) logits[label] += RESEMBLANCE * (1 - ALIKE) * Math.max(0, closest[label]);
      // A label read with care (its `sureUpTo` is finite: a label of the person's own, or one
      // taught by lone corrections alone) wins only where it resembles, unless the model reads it.
      const careful = Number.isFinite(sureUpTo[label]) && sure.label[i] !== label;
      if (careful && (closest[label] < 0 || sure.prob[i] > sureUpTo[label])) gated.push(label);
      else largest = Math.max(largest, logits[label]);
    }
    for (const label of gated) logits[label] = Math.min(logits[label], largest - GATED_MARGIN);
    let total = 0;
    for (let label = 0; label < labelCount; label++) total += (logits[label] = Math.exp(logits[label] - largest));
    for (let label = 0; label < labelCount; label++) probs[i * labelCount + label] = logits[label] / total;
  }
  return probs;
}
