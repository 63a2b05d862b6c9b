// The personal head's arithmetic (web/personal-head.js, a classic script the worker imports): its
// reading, the head's logits moved towards the labels whose taught drawings the drawing resembles
// most, and what its fit does with a drawing that contradicts the model's answer, sure or not.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const script = readFileSync(new URL('../../web/personal-head.js', import.meta.url), 'utf8');
const { headProbabilities, fitHead } = vm.runInNewContext(`${script}; ({ headProbabilities, fitHead })`);

// Three labels, two features; the head alone leans to label 0.
const HEAD = { rows: Float32Array.of(1, 0, 0, 1, 0, 0), bias: Float32Array.of(0, 0, 0), size: 2 };
const PRIOR = HEAD;
const FEATURES = Float32Array.of(1, 0.5);
const taught = (labels, alike = 0.3) => ({
  drawnLabels: Int32Array.from(labels), drawnAlike: new Float32Array(labels.length).fill(alike),
  sureUpTo: new Float32Array(3).fill(Infinity),
});

test('without taught drawings it reads as the head does', () => {
  const probs = headProbabilities({ ...HEAD, ...taught([]) }, FEATURES, [], PRIOR);
  const logits = [1, 0.5, 0];
  const total = logits.reduce((sum, z) => sum + Math.exp(z), 0);
  logits.forEach((z, label) => assert.ok(Math.abs(probs[label] - Math.exp(z) / total) < 1e-6));
});

test('a drawing like the taught drawings of label 1 is read as 1', () => {
  // Taught: two drawings of 0, one of 1; the drawing read resembles the 1 closely (cosine 0.9).
  const probs = headProbabilities({ ...HEAD, ...taught([0, 0, 1]) }, FEATURES,
    Float32Array.of(0.2, 0.3, 0.9), PRIOR);
  assert.ok(probs[1] > 0.99, String(probs));
});

test('a likeness that is not close moves nothing', () => {
  // The 1 taught is odd: the drawing resembles it little (cosine 0.25), no more than the 0s.
  const alone = headProbabilities({ ...HEAD, ...taught([]) }, FEATURES, [], PRIOR);
  const unlike = headProbabilities({ ...HEAD, ...taught([0, 0, 1]) }, FEATURES,
    Float32Array.of(0.2, 0.25, 0.25), PRIOR);
  assert.deepEqual(unlike, alone);
});

test("a label of the person's own wins only where the model is no surer than it was of theirs", () => {
  // The model knows labels 0 and 1; label 2 is the person's, its row larger than the others.
  const prior = { rows: Float32Array.of(4, 0, 0, 4), bias: Float32Array.of(0, 0), size: 2 };
  const head = { rows: Float32Array.of(4, 0, 0, 4, 6, 6), bias: Float32Array.of(0, 0, 0), size: 2,
    drawnLabels: Int32Array.of(2), drawnAlike: Float32Array.of(0.5), sureUpTo: Float32Array.of(Infinity, Infinity, 0.8) };
  const [sureZero, unsure] = [Float32Array.of(1, 0.2), Float32Array.of(0.5, 0.5)];
  const read = (features, cosine) => headProbabilities(head, features, Float32Array.of(cosine), prior);
  const sure = read(sureZero, 0.9); // the model reads it as 0 at 0.96
  assert.ok(sure[0] > sure[2] && sure[2] > 0.2, String(sure)); // not theirs, but "not sure"
  assert.ok(read(unsure, 0.9)[2] > 0.9); // the model is torn (0.5): it is the person's
  // Resembling their drawing less than they resemble one another: not theirs either.
  const unlike = read(unsure, 0.4);
  assert.ok(unlike[2] < Math.max(unlike[0], unlike[1]), String(unlike));
});

// Two labels the model reads surely from two features; drawings' pooled features are 2 long too.
const SURE = { rows: Float32Array.of(8, 0, 0, 8), bias: Float32Array.of(0, 0), size: 2 };
const NOT_SURE = 0.649; // the default export's not_sure_threshold

test('one drawing taught against a sure answer moves only its near-duplicates, until a second agrees', () => {
  const zero = [1, 0];
  const alone = fitHead(SURE, Float32Array.of(...zero), Int32Array.of(1), 2, Float32Array.of(1, 0), 1, NOT_SURE);
  assert.deepEqual(Array.from(alone.rows), Array.from(SURE.rows)); // left out of the fit
  assert.ok(alone.drawnAlike[0] > 0.8, String(alone.drawnAlike));
  const twice = fitHead(SURE, Float32Array.of(...zero, 0.9, 0.1), Int32Array.of(1, 1), 2,
    Float32Array.of(1, 0, 0.99, 0.14), 2, NOT_SURE);
  assert.ok(twice.rows[2] > SURE.rows[2], String(twice.rows)); // label 1's row turns to them
  assert.deepEqual(Array.from(twice.drawnAlike), [0.3, 0.3].map(Math.fround));
});

test('one drawing taught against an answer the model was not sure of counts for its near-duplicates the page is not sure of', () => {
  // The model reads it as 0 at 0.60 (logits 0.4 and 0): below the threshold, the page said
  // "not sure", and the person's answer is the correction it asked for, or a mistaken tap.
  const unsureZero = Float32Array.of(0.05, 0);
  const corrected = fitHead(SURE, unsureZero, Int32Array.of(1), 2, Float32Array.of(1, 0), 1, NOT_SURE);
  assert.ok(corrected.rows[2] > SURE.rows[2], String(corrected.rows)); // fitted: label 1's row turns to it
  assert.ok(corrected.drawnAlike[0] > 0.8, String(corrected.drawnAlike)); // near-duplicates alone
  assert.equal(corrected.sureUpTo[1], Math.fround(NOT_SURE));
  const head = { ...corrected, drawnLabels: Int32Array.of(1) };
  const read = (features, cosine) => headProbabilities(head, Float32Array.of(...features),
    Float32Array.of(cosine), SURE);
  assert.ok(read([0.05, 0], 1)[1] > 0.9); // the drawing itself, read again: 1
  assert.ok(read([0.04, 0], 0.99)[1] > 0.9); // a near-duplicate the model is as unsure of: 1
  // A drawing like it, not a near-duplicate, that the fitted row alone would read as 1: its
  // model's answer stays first, "not sure".
  const like = read([0.01, 0], 0.9);
  assert.ok(like[0] > like[1] && like[0] < NOT_SURE, String(like));
  assert.ok(read([1, 0], 0.99)[0] > 0.99); // one like it that the model reads surely stays 0
  // Its variations are not fitted: with them, one drawing turns the whole class.
  const varied = fitHead(SURE, Float32Array.of(0.05, 0, 0.05, 0.01, 0.06, 0), Int32Array.of(1, 1, 1), 2,
    Float32Array.of(1, 0), 1, NOT_SURE);
  assert.deepEqual(Array.from(varied.rows), Array.from(corrected.rows));
  // The same drawing, with a threshold under the model's 0.60: a sure answer contradicted, left
  // out of the fit, which counts for its near-duplicates alone.
  const contradicted = fitHead(SURE, unsureZero, Int32Array.of(1), 2, Float32Array.of(1, 0), 1, 0.55);
  assert.deepEqual(Array.from(contradicted.rows), Array.from(SURE.rows));
  assert.ok(contradicted.drawnAlike[0] > 0.8, String(contradicted.drawnAlike));
  assert.equal(contradicted.sureUpTo[1], Infinity);
});

test("a drawing nearer the person's drawing of another label than to their others counts past that likeness", () => {
  // Their 0 and their 1 resemble each other at 0.8; the model reads each surely as drawn.
  const one = fitHead(SURE, Float32Array.of(1, 0, 0, 1), Int32Array.of(0, 1), 2,
    Float32Array.of(1, 0, 0.8, 0.6), 2, NOT_SURE);
  assert.deepEqual(Array.from(one.drawnAlike), [0.8, 0.8].map(Math.fround));
  // A drawing the model reads as 0, unsurely, resembling their 1 at 0.75: not pulled to 1 (at
  // ALIKE it would be: 20 x 0.45 more for 1).
  const head = { ...one, drawnLabels: Int32Array.of(0, 1) };
  const probs = headProbabilities(head, Float32Array.of(0.06, 0), Float32Array.of(0.7, 0.75), SURE);
  assert.ok(probs[0] > probs[1], String(probs));
  // A second 0 closer to the first than to the 1: both 0s count from ALIKE again, the 1 from its
  // likeness to its nearest 0.
  const two = fitHead(SURE, Float32Array.of(1, 0, 0, 1, 1, 0.1), Int32Array.of(0, 1, 0), 3,
    Float32Array.of(1, 0, 0.8, 0.6, 0.95, Math.sqrt(1 - 0.95 ** 2)), 3, NOT_SURE);
  assert.deepEqual(Array.from(two.drawnAlike).map((x) => x.toFixed(3)), ['0.300', '0.947', '0.300']);
});

test("a new label's likeness and sureness are calibrated on the person's drawings of it", () => {
  // Three drawings of label 2, the model unsure of them (features 0.1 apart at most)
  const features = Float32Array.of(0.2, 0.2, 0.25, 0.2, 0.2, 0.25);
  const third = [0.2, Math.sqrt(1 - 0.2 ** 2)];
  const drawn = Float32Array.of(1, 0, 0.96, 0.28, ...third); // cosines 0.96, 0.2 and 0.466
  const head = fitHead(SURE, features, Int32Array.of(2, 2, 2), 3, drawn, 3, NOT_SURE);
  // Each drawing's closest other is at 0.96, 0.96, 0.466: that, or OWN_ALIKE (0.55) where closer
  [0.55, 0.55, 0.96 * third[0] + 0.28 * third[1]].forEach((alike, d) => assert.ok(
    Math.abs(head.drawnAlike[d] - alike) < 1e-6, String(head.drawnAlike)));
  // The model's surest answer on them (0.6, on the third) and the slack (0.1)
  assert.ok(Math.abs(head.sureUpTo[2] - 0.7) < 0.01, String(head.sureUpTo));
  assert.equal(head.sureUpTo[0], Infinity);
});

// The fit itself (fitRows, under fitHead): its stopping rule, the rows it leaves alone, its
// determinism and the imprinted start of a new label. The script's own constants and helpers are
// read from the same context, so nothing is exported for the tests.
const fit = vm.runInNewContext(`${script}; ({ fitHead, imprintNewLabels, TOLERANCE, REGULARIZATION })`);

// A fixed pseudo-random sequence (a linear congruential generator), so each run fits the same data.
function numbers(seed, count, scale = 1) {
  let state = seed;
  return Float32Array.from({ length: count }, () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return (state / 2 ** 31 - 0.5) * 2 * scale;
  });
}

// The model's answer for each row of features under a head.
function logitsOf({ rows, bias, size }, features) {
  const count = features.length / size;
  return Array.from({ length: count }, (_, i) => Array.from(bias, (b, label) => {
    let z = b;
    for (let j = 0; j < size; j++) z += rows[label * size + j] * features[i * size + j];
    return z;
  }));
}
const argmax = (row) => row.indexOf(Math.max(...row));

// Each row of `size` scaled to length 1, as a drawing's pooled features are.
const unitRows = (rows, size) => rows.map((x, k) => {
  const start = k - (k % size);
  return x / Math.hypot(...rows.subarray(start, start + size));
});

// Drawings the model already reads as their labels (so none is a lone contradicting tap), each
// with two variations: rows of `features` are the drawings, then each drawing's variations in turn.
function agreeingDrawings(prior, seed, drawings, perDrawing = 2) {
  const { size } = prior;
  const drawn = numbers(seed, drawings * size, 0.3).map((x) => Math.abs(x) + 0.05);
  const variations = Float32Array.from({ length: drawings * perDrawing * size },
    (_, k) => drawn[Math.floor(k / (perDrawing * size)) * size + (k % size)] * (1 + 0.1 * Math.sin(k)));
  const features = Float32Array.of(...drawn, ...variations);
  const answers = logitsOf(prior, features).map(argmax);
  const targets = Int32Array.from(answers, (_, i) => answers[i < drawings ? i : Math.floor((i - drawings) / perDrawing)]);
  return { features, targets, drawn: unitRows(drawn, size) };
}

test('the fit stops where the slope is below TOLERANCE, before its step cap', () => {
  // Four labels, all of them moving (fewer than LIKELIEST): the loss is the softmax cross-entropy
  // over every label plus REGULARIZATION / 2 * |head - prior|^2, its slope computed here anew.
  const size = 3;
  const prior = { rows: numbers(7, 4 * size, 2), bias: numbers(11, 4, 0.5), size };
  const { features, targets, drawn } = agreeingDrawings(prior, 3, 4);
  const head = fit.fitHead(prior, features, targets, 4, drawn, 4, NOT_SURE);
  const logits = logitsOf(head, features);
  const slope = Array.from(head.rows, (w, k) => fit.REGULARIZATION * (w - prior.rows[k]));
  const biasSlope = Array.from(head.bias, (b, l) => fit.REGULARIZATION * (b - prior.bias[l]));
  logits.forEach((row, i) => {
    const largest = Math.max(...row);
    const total = row.reduce((sum, z) => sum + Math.exp(z - largest), 0);
    row.forEach((z, label) => {
      const g = Math.exp(z - largest) / total - (label === targets[i] ? 1 : 0);
      for (let j = 0; j < size; j++) slope[label * size + j] += g * features[i * size + j];
      biasSlope[label] += g;
    });
  });
  const steepest = Math.max(...[...slope, ...biasSlope].map(Math.abs));
  assert.ok(steepest < fit.TOLERANCE, `slope ${steepest}`);
  assert.ok(head.rows.some((w, k) => w !== prior.rows[k]), 'the head moved');
  // It stopped by the slope, not by the step cap: ten times the steps give the same head, bit for bit.
  const uncapped = vm.runInNewContext(`${script.replace(/const STEPS = \d+;/, 'const STEPS = 600;')}; fitHead`);
  const longer = uncapped(prior, features, targets, 4, drawn, 4, NOT_SURE);
  assert.deepEqual(Array.from(longer.rows), Array.from(head.rows));
  assert.deepEqual(Array.from(longer.bias), Array.from(head.bias));
});

test("rows of labels neither the drawings nor their likeliest labels touch stay the prior's", () => {
  const size = 4;
  const labels = 30;
  const prior = { rows: numbers(5, labels * size, 1), bias: numbers(13, labels, 0.5), size };
  const { features, targets, drawn } = agreeingDrawings(prior, 17, 3);
  const head = fit.fitHead(prior, features, targets, labels, drawn, 3, NOT_SURE);
  const touched = new Set(targets);
  logitsOf(prior, features).forEach((row) => row.map((z, label) => [z, label])
    .sort((a, b) => b[0] - a[0]).slice(0, 10).forEach(([, label]) => touched.add(label)));
  const untouched = [...Array(labels).keys()].filter((label) => !touched.has(label));
  assert.ok(untouched.length >= 5, `untouched: ${untouched}`);
  for (const label of untouched) {
    assert.deepEqual(Array.from(head.rows.subarray(label * size, (label + 1) * size)),
      Array.from(prior.rows.subarray(label * size, (label + 1) * size)), `row ${label}`);
    assert.equal(head.bias[label], prior.bias[label], `bias ${label}`);
  }
  assert.ok([...touched].some((label) => head.bias[label] !== prior.bias[label]), 'the touched rows moved');
});

test('the same input gives the same head, bit for bit', () => {
  const size = 4;
  const prior = { rows: numbers(23, 12 * size, 1), bias: numbers(29, 12, 0.5), size };
  const { features, targets, drawn } = agreeingDrawings(prior, 31, 4);
  // Two drawings of a new label, 12, fitted beside the model's reference drawings.
  const own = Float32Array.of(0.3, 0.1, 0.5, 0.2, 0.35, 0.1, 0.45, 0.25);
  const inputs = () => [prior, Float32Array.of(...features.subarray(0, 4 * size), ...own,
    ...features.subarray(4 * size), ...own, ...own), Int32Array.of(...targets.subarray(0, 4), 12, 12,
    ...targets.subarray(4), 12, 12, 12, 12), 13, Float32Array.of(...drawn, ...unitRows(own, size)),
  6, NOT_SURE, { features: features.subarray(0, 4 * size), labels: targets.subarray(0, 4) }];
  const [first, second] = [fit.fitHead(...inputs()), fit.fitHead(...inputs())];
  for (const field of ['rows', 'bias', 'drawnAlike', 'sureUpTo']) {
    assert.deepEqual(new Uint8Array(second[field].buffer), new Uint8Array(first[field].buffer), field);
  }
  assert.ok(first.rows.subarray(12 * size).some((w) => w !== 0), "the new label's row");
});

test("a new label's imprinted row is as long as the model's rows on average, along its drawings", () => {
  const size = 3;
  const prior = { rows: Float32Array.of(3, 0, 0, 0, 4, 0), bias: Float32Array.of(1, -0.5), size };
  const head = { rows: new Float32Array(4 * size), bias: new Float32Array(4), size };
  // Label 2 drawn twice, label 3 once; the model's rows are 3 and 4 long: root mean square 12.5 ** 0.5
  fit.imprintNewLabels(head, prior, Float32Array.of(1, 1, 0, 1, 0, 0, 0, 0, 2), Int32Array.of(2, 2, 3));
  const length = Math.sqrt(12.5);
  const rowOf = (label) => Array.from(head.rows.subarray(label * size, (label + 1) * size));
  for (const [label, direction] of [[2, [2, 1, 0]], [3, [0, 0, 1]]]) {
    const row = rowOf(label);
    assert.ok(Math.abs(Math.hypot(...row) - length) < 1e-5, `row ${label}: ${row}`);
    const norm = Math.hypot(...direction);
    row.forEach((w, j) => assert.ok(Math.abs(w - (direction[j] / norm) * length) < 1e-5, `row ${label}: ${row}`));
    assert.equal(head.bias[label], 0.25); // the model's mean bias
  }
});

// The same script with one constant changed: EXACT_UP_TO Infinity is the exact fit, 0 the fit of
// each input's active labels however few labels move.
const withExactUpTo = (value) => {
  const changed = script.replace(/^const EXACT_UP_TO = \d+;$/m, `const EXACT_UP_TO = ${value};`);
  assert.notEqual(changed, script, 'EXACT_UP_TO is declared');
  return vm.runInNewContext(`${changed}; fitHead`);
};

// `drawings` rows of `size` features, each the row of `first` moved by `moved`, and the variations
// of each in turn (`perDrawing` a drawing, each moved by `wiggle`), at zero or above as after ReLU.
function movedRows(first, moved, size, drawings, perDrawing, wiggle) {
  const drawn = Float32Array.from({ length: drawings * size },
    (_, k) => Math.max(0, first[k % first.length] + moved[k]));
  const variations = Float32Array.from({ length: drawings * perDrawing * size },
    (_, k) => Math.max(0, drawn[Math.floor(k / (perDrawing * size)) * size + (k % size)] + wiggle[k]));
  return { drawn, features: Float32Array.of(...drawn, ...variations) };
}

test("with hundreds of labels each input's softmax moves over its own labels, and reads as the exact fit", () => {
  // 500 labels, 16 features; 20 drawings, two each of 10 labels the model does not read there
  // (the second like the first), with two variations each.
  const [size, labels, perDrawing] = [16, 500, 2];
  const prior = { rows: numbers(41, labels * size, 1), bias: numbers(43, labels, 0.5), size };
  const first = numbers(47, 10 * size, 1);
  const moved = Float32Array.of(...new Float32Array(10 * size), ...numbers(53, 10 * size, 0.15));
  const { drawn, features } = movedRows(first, moved, size, 20, perDrawing, numbers(59, 20 * perDrawing * size, 0.1));
  const taught = Array.from({ length: 20 }, (_, d) => 7 + (d % 10) * 49);
  const targets = Int32Array.from([...taught, ...taught.flatMap((label) => Array(perDrawing).fill(label))]);
  const inputs = [prior, features, targets, labels, unitRows(drawn, size), 20, NOT_SURE];
  const head = fit.fitHead(...inputs);
  const exact = withExactUpTo(Infinity)(...inputs);
  assert.ok(head.rows.some((w, k) => w !== exact.rows[k]), 'the fit of active labels, not the exact one');
  assert.deepEqual(new Uint8Array(fit.fitHead(...inputs).rows.buffer), new Uint8Array(head.rows.buffer), 'the same again');
  assert.ok(logitsOf(prior, drawn).every((row, d) => argmax(row) !== taught[d]), 'the model misreads them');
  assert.deepEqual(logitsOf(head, drawn).map(argmax), taught);
  // A label in no input's active set (its label, its likeliest under the prior, widened by moving
  // labels only) keeps the prior's row.
  const active = new Set(targets);
  logitsOf(prior, features).forEach((row) => row.map((z, label) => [z, label])
    .sort((a, b) => b[0] - a[0]).slice(0, 10).forEach(([, label]) => active.add(label)));
  const still = [...Array(labels).keys()].filter((label) => !active.has(label));
  assert.ok(still.length > 400, `still: ${still.length}`);
  for (const label of still) {
    assert.deepEqual(Array.from(head.rows.subarray(label * size, (label + 1) * size)),
      Array.from(prior.rows.subarray(label * size, (label + 1) * size)), `row ${label}`);
    assert.equal(head.bias[label], prior.bias[label], `bias ${label}`);
  }
  // Drawings it was not fitted on, like the taught ones and unlike them: read as the exact fit does.
  const like = movedRows(drawn, numbers(61, 100 * size, 0.15), size, 100, 0, []).drawn;
  const unlike = numbers(67, 100 * size, 1).map((x) => Math.max(0, x));
  for (const [name, rows] of [['like', like], ['unlike', unlike]]) {
    const [mine, theirs] = [head, exact].map((fitted) => logitsOf(fitted, rows).map(argmax));
    const agree = mine.filter((label, k) => label === theirs[k]).length;
    assert.ok(agree >= 98, `${name}: ${agree} of 100 read as the exact fit reads them`);
  }
});

test('with few moving labels (a digits model and a label of its own) the fit is the exact one, bit for bit', () => {
  const size = 4;
  const prior = { rows: numbers(71, 10 * size, 1), bias: numbers(73, 10, 0.5), size };
  const { features, targets, drawn } = agreeingDrawings(prior, 79, 6);
  // Three drawings of a new label, 10, fitted beside the model's reference drawings.
  const own = Float32Array.of(0.3, 0.1, 0.5, 0.2, 0.35, 0.1, 0.45, 0.25, 0.3, 0.15, 0.5, 0.2);
  const inputs = [prior, Float32Array.of(...features.subarray(0, 6 * size), ...own, ...features.subarray(6 * size),
    ...own, ...own), Int32Array.of(...targets.subarray(0, 6), 10, 10, 10, ...targets.subarray(6), ...Array(6).fill(10)),
  11, Float32Array.of(...drawn, ...unitRows(own, size)), 9, NOT_SURE,
  { features: features.subarray(0, 6 * size), labels: targets.subarray(0, 6) }];
  const [head, exact, restricted] = [fit.fitHead, withExactUpTo(Infinity), withExactUpTo(0)].map((f) => f(...inputs));
  assert.deepEqual(new Uint8Array(head.rows.buffer), new Uint8Array(exact.rows.buffer));
  assert.deepEqual(new Uint8Array(head.bias.buffer), new Uint8Array(exact.bias.buffer));
  // Each input's active labels alone would give the digits another head: EXACT_UP_TO is what keeps it.
  assert.ok(restricted.rows.some((w, k) => w !== exact.rows[k]), 'the restricted fit differs');
});

test('the fit benchmark runs and prints a row for each case', () => {
  const script = fileURLToPath(new URL('../../benchmarks/fit_head.mjs', import.meta.url));
  const table = execFileSync(process.execPath, [script, '--labels', '2', '--repeats', '1'], { encoding: 'utf8' });
  assert.match(table.split('\n')[0], /^commit \S+ · model none · .+ · \d{4}-\d{2}-\d{2}$/); // common.py's header
  const rows = table.split('\n').filter((line) => /^\| [^|]+ \| [\d,]+ \| \d+ \| \d+ \| \d+ \| \d+ \| \d+ \/ \d+ of \d+ \| \d+ \/ \d+ \| \d+ \|$/.test(line));
  assert.deepEqual(rows.map((row) => row.split(' | ')[1]), ['9', '90', '450', '1800', '45']);
});

test('the fit benchmark refuses a bad flag in one line', () => {
  const script = fileURLToPath(new URL('../../benchmarks/fit_head.mjs', import.meta.url));
  for (const [flag, value, least] of [['--labels', '1', 2], ['--repeats', 'abc', 1], ['--labels', '2.5', 2]]) {
    const run = spawnSync(process.execPath, [script, flag, value], { encoding: 'utf8' });
    assert.equal(run.status, 2);
    assert.equal(run.stderr, `error: ${flag} must be a whole number of at least ${least}, got ${value}\n`);
  }
});

test("with many labels a taught label counts past the person's likeness to their other labels, and with care", () => {
  // Two drawings each of labels 3 and 7 that the model misreads, the 3s alike (0.99), a 3 and a 7
  // less so (about 0.8): with 40 labels each counts only past its likeness to the other label's
  // drawings, and the model's sureness on them bounds where the label is read; with 10 labels, as
  // before (ALIKE, and read wherever it resembles).
  const size = 2;
  const drawnRows = Float32Array.of(1, 0.1, 1, 0.12, 0.8, 0.6, 0.78, 0.62);
  const drawn = unitRows(drawnRows, size);
  const targets = Int32Array.of(3, 3, 7, 7);
  for (const labels of [10, 40]) {
    const prior = { rows: new Float32Array(labels * size), bias: new Float32Array(labels), size };
    prior.rows.set([0, 3, 0, 3], 0); // labels 0 and 1 read every drawing, unsurely
    const head = fitHead(prior, drawnRows, targets, labels, drawn, 4, NOT_SURE);
    const across = (d, e) => drawn[d * 2] * drawn[e * 2] + drawn[d * 2 + 1] * drawn[e * 2 + 1];
    if (labels === 10) {
      assert.deepEqual(Array.from(head.drawnAlike), [0.3, 0.3, 0.3, 0.3].map(Math.fround));
      assert.ok(head.sureUpTo.every((bound) => bound === Infinity));
    } else {
      const expected = [[2, 3], [2, 3], [0, 1], [0, 1]].map(([e, f], d) => Math.fround(Math.max(across(d, e), across(d, f))));
      assert.deepEqual(Array.from(head.drawnAlike), expected);
      assert.ok(expected.every((alike) => alike > 0.3));
      assert.ok(Number.isFinite(head.sureUpTo[3]) && Number.isFinite(head.sureUpTo[7]) && head.sureUpTo[3] < 1);
    }
  }
});
