"""The evaluation report: a static page (index.html, its PNGs beside it) that opens from the file
system with no script; trainer/metrics.py writes the same figures into metrics.json beside it.

    write_report = header -> the sets side by side -> training (curves, class counts)
                   -> per set: figures, heatmap, confused pairs, misreads, Grad-CAM, reliability,
                      per-class precision and recall, per writer where the set names them
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from pathlib import Path

import numpy as np

from runfolder.finished import FinishedRun, source_weights
from trainer import figures
from trainer.calibration import MAX_RIGHT_FLAGGED, MIN_MISREADS_FLAGGED, RIGHT_FLAGGED
from trainer.dataset import is_named
from trainer.evalsets import EvaluationError
from trainer.metrics import METRICS, Evaluated
from trainer.scores import TOP_K

INDEX = "index.html"
IMAGES = "img"
HEATMAP_LABELS = 30  # beyond this many labels the heatmap keeps the most confused ones
PER_CLASS_LABELS = 30  # likewise the per-class chart and table: the worst by F1
CONFUSED_PAIRS = 10
PAIR_EXAMPLES = 4
GALLERY = 60  # misread images shown per set, most confident first
UNNAMED_GROUP = "writers not named (MNIST, scans)"  # in the gallery by writer
GRADCAM_SAMPLE = 8  # right answers, and as many wrong ones
SAMPLE_SEED = 0
SHOWN_LABELS = 30  # labels listed by name in the header


class Page:
    """The report folder being written: files go under it, HTML parts collect in order."""

    def __init__(self, folder: Path, labels: list[str]) -> None:
        self.folder, self.labels = folder, labels
        self.parts: list[str] = []
        (folder / IMAGES).mkdir()

    def add(self, html: str) -> None:
        self.parts.append(html)

    def path(self, name: str) -> tuple[Path, str]:
        """A file under img/: its path, and the relative link to it."""
        return self.folder / IMAGES / name, f"{IMAGES}/{name}"

    def figure(self, name: str, draw: Callable[[Path], None], alt: str) -> str:
        path, link = self.path(name)
        draw(path)
        return f'<img class="figure" src="{link}" alt="{escape(alt)}">'

    def image(self, name: str, pixels: np.ndarray, alt: str) -> str:
        path, link = self.path(name)
        figures.save_image(pixels, path)
        return f'<img class="input" src="{link}" alt="{escape(alt)}">'

    def label(self, index: int) -> str:
        return escape(self.labels[index])


def check_report_folder(folder: Path) -> None:
    """A report may replace a report, never anything else."""
    if folder.exists() and not folder.is_dir():
        raise EvaluationError(f"--out {folder}: a file, not a folder")
    if folder.is_dir() and any(folder.iterdir()) and not (folder / METRICS).is_file():
        raise EvaluationError(f"--out {folder}: a folder that is not a report; choose another "
                              "--out")


def write_report(
    folder: Path, model: FinishedRun, evaluated: list[Evaluated],
    heatmaps: Callable[[np.ndarray, np.ndarray], np.ndarray] | None,
    log: Callable[[str], None],
) -> None:
    """Write index.html and its images into `folder` (empty)."""
    fonts = figures.use_label_fonts()
    missing = figures.missing_glyphs(model.labels, fonts)
    if missing:
        log(f"fonts: no installed font draws {''.join(missing[:20])} (install "
            f"{figures.CJK_FONT_PACKAGE}); the figures show those labels as boxes")
    page = Page(folder, model.labels)
    threshold = model.not_sure_threshold
    history = model.history()
    page.add(header(model, evaluated, threshold))
    page.add(cross_table(evaluated, threshold))
    page.add(training_section(page, model, history))
    for item in evaluated:
        page.add(set_section(page, item, threshold, heatmaps))
    (folder / INDEX).write_text(html_page(model, page.parts), encoding="utf-8")


def header(model: FinishedRun, evaluated: list[Evaluated], threshold: float | None) -> str:
    labels = model.labels
    shown = " ".join(escape(label) for label in labels[:SHOWN_LABELS])
    more = f" … ({len(labels):,} in all)" if len(labels) > SHOWN_LABELS else ""
    sure = (f"below a top probability of <b>{threshold:.3f}</b> the page says “not sure”: the "
            f"highest value below which at most {RIGHT_FLAGGED:.1%} of the validation writers' "
            "right answers fall"
            if threshold is not None else
            "no “not sure” threshold in run.json (trained before it was recorded, or on too few "
            "right validation answers to choose one: the page uses its default)")
    contents = "".join(f'<li><a href="#{item.key}">{escape(item.data.name)}</a></li>'
                       for item in evaluated)
    side, kind = model.input_size, escape(model.input)
    return f"""<header>
<h1>What {escape(model.folder.name)} gets wrong</h1>
<p>{escape(model.architecture)} on {side}x{side} {kind}s,
{len(labels):,} labels: {shown}{more}. Trained on {escape(training_data(model))};
{model.metrics.get("epochs_trained")} epochs; test accuracy when training ended
{_percent(model.metrics.get("test_accuracy"))}.</p>
<p>Threshold: {sure}.</p>
<nav><a href="#sets">The sets side by side</a> · <a href="#training">Training</a> ·
sets: <ul>{contents}</ul></nav>
</header>"""


CROSS_COLUMNS = ("set", "images", "accuracy", f"top-{TOP_K}", "macro F1", "confidence right",
                 "confidence wrong", "ECE", "sure answers", "errors when sure",
                 "right flagged", "misreads flagged")


def cross_rows(evaluated: list[Evaluated], threshold: float | None) -> list[list[str]]:
    """The cross-dataset table: one row per set, as text."""
    rows = []
    for item in evaluated:
        scores = item.scores
        sure, sure_errors = scores.above(threshold) if threshold is not None else (None, None)
        right, misreads = scores.flagged(threshold) if threshold is not None else (None, None)
        rows.append([
            item.data.name, f"{len(scores.y):,}", _percent(scores.accuracy),
            _percent(scores.top_k_accuracy), f"{scores.macro_f1:.4f}",
            _decimal(scores.mean_confidence(True)), _decimal(scores.mean_confidence(False)),
            f"{scores.calibration.expected_error:.4f}", _percent(sure), _percent(sure_errors),
            _percent(right), _percent(misreads),
        ])
    return rows


def cross_table(evaluated: list[Evaluated], threshold: float | None) -> str:
    head = "".join(f"<th>{escape(name)}</th>" for name in CROSS_COLUMNS)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>"
        for row in cross_rows(evaluated, threshold)
    )
    return f"""<section id="sets"><h2>The sets side by side</h2>
<p>Accuracy on other people's handwriting is the honest measure of what a person drawing on the
page will see. Confidence: the mean top probability of right and of wrong answers. ECE: expected
calibration error (10 bins). Sure answers: the share at or above the “not sure” threshold, and how
many of those are wrong; flagged: the shares of right answers and of misreads below it, that the
page calls “not sure”.</p>
<table><tr>{head}</tr>{body}</table></section>"""


def markdown_table(evaluated: list[Evaluated], threshold: float | None) -> str:
    """The cross-dataset table for the terminal (and for pasting into Markdown)."""
    rows = [list(CROSS_COLUMNS), ["---"] * len(CROSS_COLUMNS), *cross_rows(evaluated, threshold)]
    return "\n".join("| " + " | ".join(row) + " |" for row in rows)


def training_data(model: FinishedRun) -> str:
    """What the run trained on, from run.json: its images after the validation split (the class
    counts) and each --data source once, with how many times it was given. A loader's own count
    would describe the whole source, test split and all."""
    counts = (model.class_counts or {}).get("train")
    if not model.training_data or not counts:
        return str(model.data_source)  # a run of a trainer that recorded neither
    named = " + ".join(path if times == 1 else f"{path} (×{times})"
                       for path, times in source_weights(model.settings).items())
    return f"{sum(counts):,} images, validation held out, from {named}"


def training_section(page: Page, model: FinishedRun, history: dict[str, list[float]]) -> str:
    parts = ['<section id="training"><h2>Training</h2>']
    if history:
        head_epochs = model.settings.get("head_epochs", 0)
        curves = page.figure("learning-curves.png",
                             lambda path: figures.learning_curves(history, head_epochs, path),
                             "loss and accuracy per epoch")
        parts.append(f"""<h3>Learning curves</h3><p>Loss and accuracy per epoch on the training
and validation images. Validation loss rising while training loss falls is overfitting; both
still falling at the end means more epochs would help.</p>{curves}""")
    counts = (model.class_counts or {}).get("train")
    if counts:
        chart = page.figure("class-counts.png",
                            lambda path: figures.class_counts_chart(counts, model.labels, path),
                            "training images per label")
        parts.append(f"""<h3>Training images per label</h3><p>Labels with few images are
usually the ones read worst; <code>--balance</code> evens them out.</p>{chart}""")
    parts.append("</section>")
    return "\n".join(parts)


def set_section(page: Page, item: Evaluated, threshold: float | None,
                heatmaps: Callable[[np.ndarray, np.ndarray], np.ndarray] | None) -> str:
    scores, key = item.scores, item.key
    sure = ""
    if threshold is not None:
        share, errors = scores.above(threshold)
        right, misreads = scores.flagged(threshold)
        sure = (f"<li>answers at least {threshold:.3f} sure: {_percent(share)}, of which "
                f"{_percent(errors)} wrong</li><li>“not sure” flags {_percent(misreads)} of the "
                f"misreads and {_percent(right)} of the right answers (the aim: at least "
                f"{MIN_MISREADS_FLAGGED:.0%} and at most {MAX_RIGHT_FLAGGED:.0%})</li>")
    return f"""<section id="{key}"><h2>{escape(item.data.name)}</h2>
<p class="source">{escape(item.data.source)}</p>
<ul class="summary"><li>images: {len(scores.y):,}</li>
<li>accuracy {_percent(scores.accuracy)}, top-{TOP_K} {_percent(scores.top_k_accuracy)},
macro F1 {scores.macro_f1:.4f}</li>
<li>mean confidence of right answers {_decimal(scores.mean_confidence(True))}, of wrong ones
{_decimal(scores.mean_confidence(False))}</li>{sure}
<li>the threshold this set's own answers would give: {scores.own_threshold:.3f}</li></ul>
{heatmap_part(page, item)}
{pairs_part(page, item)}
{gallery_part(page, item)}
{gradcam_part(page, item, heatmaps)}
{reliability_part(page, item, threshold)}
{risk_coverage_part(page, item, threshold)}
{per_class_part(page, item)}
{writers_part(page, item)}
</section>"""


def heatmap_part(page: Page, item: Evaluated) -> str:
    confusion = item.scores.confusion
    shown = most_confused(confusion, HEATMAP_LABELS)
    note = ("" if len(shown) == len(page.labels) else
            f" The {len(shown)} labels with the most errors of the {len(page.labels):,}; the full "
            "matrix is in metrics.json.")
    chart = page.figure(f"{item.key}-confusion.png", lambda path: figures.confusion_heatmap(
        confusion[np.ix_(shown, shown)], [page.labels[k] for k in shown], path),
        "confusion matrix")
    return f"""<h3>Confusion matrix</h3><p>True labels in rows, what the model read in columns;
colour is the share of the row, numbers are counts. Off the diagonal are the errors.{note}</p>
{chart}"""


def most_confused(confusion: np.ndarray, limit: int) -> np.ndarray:
    """All labels when there are at most `limit`; else the `limit` labels most involved in
    errors (as the true label or as the one read), in label order."""
    if len(confusion) <= limit:
        return np.arange(len(confusion))
    errors = confusion.sum(axis=0) + confusion.sum(axis=1) - 2 * np.diag(confusion)
    return np.sort(np.argsort(-errors, kind="stable")[:limit])


def pairs_part(page: Page, item: Evaluated) -> str:
    scores = item.scores
    pairs = scores.confused_pairs()[:CONFUSED_PAIRS]
    if not pairs:
        return "<h3>Most confused pairs</h3><p>None: every image was read right.</p>"
    rows = []
    for number, (true, read, count, share) in enumerate(pairs):
        where = np.flatnonzero((scores.y == true) & (scores.predicted == read))
        examples = where[np.argsort(-scores.confidence[where], kind="stable")][:PAIR_EXAMPLES]
        images = "".join(page.image(f"{item.key}-pair{number}-{i}.png", item.data.x[i],
                                    f"{page.labels[true]} read as {page.labels[read]}")
                         for i in examples)
        rows.append(f"<tr><td>{page.label(true)} → {page.label(read)}</td><td>{count}</td>"
                    f"<td>{_percent(share)}</td><td>{images}</td></tr>")
    return f"""<h3>Most confused pairs</h3><p>True label → what the model read, how often, and
the share of that label's images it is; the examples are the most confident of each.</p>
<table><tr><th>true → read</th><th>count</th><th>share</th><th>examples</th></tr>
{"".join(rows)}</table>"""


def gallery_part(page: Page, item: Evaluated) -> str:
    scores = item.scores
    wrong = np.flatnonzero(~scores.right)
    wrong = wrong[np.argsort(-scores.confidence[wrong], kind="stable")][:GALLERY]
    shown = f"The {GALLERY} most confident of" if (~scores.right).sum() > GALLERY else "All"
    writers = item.data.writers
    groups = (misreads_by_writer(writers, wrong) if writers is not None
              else [(None, list(enumerate(wrong.tolist())))])
    blocks = "\n".join(
        (f"<h4>{escape(writer)}: {len(images)}</h4>" if writer is not None else "")
        + '<div class="tiles">'
        + "".join(tile(page, item, i, f"{item.key}-miss{n}.png") for n, i in images) + "</div>"
        for writer, images in groups)
    heading, order, coda = (
        ("Misread images, by writer", "grouped by writer, the writers with the most first, each "
         "writer's most confident mistakes first", " One writer's many errors are a style the "
         "model lacks; scattered ones are ambiguous or mislabelled.") if writers is not None else
        ("Misread images", "most confident mistakes first", ""))
    return f"""<h3>{heading}</h3><p>{shown} {(~scores.right).sum():,} misread images, {order},
as the model saw them: the true label, then the model's top {TOP_K}.{coda}</p>
{blocks}"""


def misreads_by_writer(writers: np.ndarray,
                       wrong: np.ndarray) -> list[tuple[str, list[tuple[int, int]]]]:
    """(writer, [(tile number, image index), ...]) for the misread images `wrong` (most confident
    first), the writers with the most first, then the images of writers no source names."""
    groups: dict[str, list[tuple[int, int]]] = {}
    named = is_named(writers[wrong]) if len(wrong) else np.zeros(0, bool)
    for number, (index, has_name) in enumerate(zip(wrong, named, strict=True)):
        writer = str(writers[index]) if has_name else UNNAMED_GROUP
        groups.setdefault(writer, []).append((number, int(index)))
    unnamed = groups.pop(UNNAMED_GROUP, None)
    ordered = sorted(groups.items(), key=lambda group: -len(group[1]))
    return ordered + ([(UNNAMED_GROUP, unnamed)] if unnamed else [])


def tile(page: Page, item: Evaluated, index: int, name: str, extra: str = "") -> str:
    scores = item.scores
    probabilities = scores.probabilities[index]
    top = np.argsort(-probabilities, kind="stable")[:TOP_K]
    guesses = "<br>".join(f"{page.label(k)} {probabilities[k]:.2f}" for k in top)
    true = page.labels[scores.y[index]]
    image = page.image(name, item.data.x[index], f"true {true}")
    return (f'<figure>{image}{extra}<figcaption>true <b>{escape(true)}</b><br>{guesses}'
            "</figcaption></figure>")


def gradcam_part(page: Page, item: Evaluated,
                 heatmaps: Callable[[np.ndarray, np.ndarray], np.ndarray] | None) -> str:
    if heatmaps is None:
        return ("<h3>Grad-CAM</h3><p>Left out: the model has no convolution to look into, or "
                "Keras runs on another backend than TensorFlow.</p>")
    scores = item.scores
    right, wrong = np.flatnonzero(scores.right), np.flatnonzero(~scores.right)
    rng = np.random.default_rng(SAMPLE_SEED)
    sample_right = np.sort(rng.choice(right, min(GRADCAM_SAMPLE, len(right)), replace=False))
    sample_wrong = wrong[np.argsort(-scores.confidence[wrong], kind="stable")][:GRADCAM_SAMPLE]
    chosen = np.concatenate([sample_right, sample_wrong]).astype(np.int64)
    maps = heatmaps(item.data.x[chosen], scores.predicted[chosen])
    tiles: dict[bool, list[str]] = {True: [], False: []}
    for n, (index, heatmap) in enumerate(zip(chosen, maps, strict=True)):
        path, link = page.path(f"{item.key}-cam{n}.png")
        figures.save_gradcam(item.data.x[index], heatmap, path)
        overlay = f'<img class="input" src="{link}" alt="Grad-CAM">'
        tiles[bool(scores.right[index])].append(
            tile(page, item, index, f"{item.key}-cam{n}-input.png", overlay))
    return f"""<h3>Where the model looked (Grad-CAM)</h3><p>Each image beside the evidence for the
label the model read: warm colours mark the regions that raised its score most. A wrong answer
with the warmth on a stray mark or on a part shared by two digits shows what misled it.</p>
<h4>Right answers (a random sample)</h4><div class="tiles">{"".join(tiles[True])}</div>
<h4>Wrong answers (the most confident)</h4><div class="tiles">{"".join(tiles[False])}</div>"""


def reliability_part(page: Page, item: Evaluated, threshold: float | None) -> str:
    calibration = item.scores.calibration
    chart = page.figure(f"{item.key}-reliability.png", lambda path: figures.reliability_diagram(
        calibration, threshold, path), "reliability diagram")
    return f"""<h3>Calibration</h3><p>How often answers of each confidence are right. On the
diagonal, a model that says 0.9 is right 9 times in 10; below it, overconfident. Expected
calibration error (ECE): {calibration.expected_error:.4f}.</p>{chart}"""


def risk_coverage_part(page: Page, item: Evaluated, threshold: float | None) -> str:
    coverage, risk = item.scores.risk_coverage()
    sure = item.scores.above(threshold)[0] if threshold is not None else None
    chart = page.figure(f"{item.key}-risk-coverage.png", lambda path: figures.risk_coverage_curve(
        coverage, risk, threshold, sure, path), "risk-coverage curve")
    return f"""<h3>Risk and coverage</h3><p>Answering only the surest answers first: the share of
answers given as sure (coverage) and the share of those wrong (risk). The dot is the page's
“not sure” threshold: to its right, the answers the page flags.</p>{chart}"""


def per_class_part(page: Page, item: Evaluated) -> str:
    scores = item.scores
    present = np.flatnonzero(scores.support > 0)
    order = present[np.argsort(scores.f1[present], kind="stable")]
    shown = order if len(present) <= PER_CLASS_LABELS else order[:PER_CLASS_LABELS]
    shown_sorted = np.sort(shown)
    chart = page.figure(f"{item.key}-per-class.png", lambda path: figures.per_class_chart(
        [page.labels[k] for k in shown_sorted], scores.precision[shown_sorted],
        scores.recall[shown_sorted], path), "precision and recall per label")
    rows = "".join(
        f"<tr><td>{page.label(k)}</td><td>{scores.support[k]:,}</td>"
        f"<td>{scores.precision[k]:.3f}</td><td>{scores.recall[k]:.3f}</td>"
        f"<td>{scores.f1[k]:.3f}</td></tr>" for k in shown)
    note = (f"The {len(shown)} labels with the lowest F1 of the {len(present):,} in this set; "
            "all of them are in metrics.json. " if len(shown) < len(present) else "")
    return f"""<h3>Precision and recall per label</h3><p>{note}Precision: of the images read as
a label, the share that are it. Recall: of a label's images, the share read right. Worst first
in the table.</p>{chart}
<table><tr><th>label</th><th>images</th><th>precision</th><th>recall</th><th>F1</th></tr>
{rows}</table>"""


def writers_part(page: Page, item: Evaluated) -> str:
    writers = item.scores.writers
    if not writers:
        return ""
    rows = "".join(
        f"<tr><td>{escape(w.writer)}</td><td>{w.images:,}</td><td>{_percent(w.accuracy)}</td>"
        f"<td>{w.misread:,}</td><td>{_pair(page.labels, w.commonest)}</td></tr>"
        for w in writers)
    return f"""<h3>Per writer</h3><p>The {len(writers)} writers this set names, the worst read
first: one writer whose hand the model has not learnt (a continental 1, an open 9) can hold most
of a set's errors, and is what teaching it that handwriting is for.</p>
<table><tr><th>writer</th><th>images</th><th>accuracy</th><th>misread</th>
<th>commonest misreading</th></tr>{rows}</table>"""


def _pair(labels: list[str], commonest: tuple[int, int, int] | None) -> str:
    if commonest is None:
        return "—"
    true, read, count = commonest
    return f"{escape(labels[true])} → {escape(labels[read])} ({count})"


def html_page(model: FinishedRun, parts: list[str]) -> str:
    body = "\n".join(parts)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(model.folder.name)}: evaluation</title>
<style>{STYLE}</style></head>
<body><main>
{body}
</main></body></html>
"""


STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; color: #1c1c1e; margin: 0; background: #fafafa; }
main { max-width: 1180px; margin: 0 auto; padding: 16px; }
section { background: #fff; border: 1px solid #ddd; border-radius: 8px; padding: 8px 18px;
          margin: 16px 0; }
h1 { font-size: 1.6rem; } h2 { border-bottom: 1px solid #ddd; padding-bottom: 4px; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: middle; }
th { background: #f0f0f3; }
img.figure { max-width: 100%; height: auto; display: block; }
img.input { width: 72px; height: 72px; image-rendering: pixelated; border: 1px solid #ccc;
            background: #000; margin: 1px; }
.tiles { display: flex; flex-wrap: wrap; gap: 8px; }
figure { margin: 0; width: 150px; font-size: 13px; }
.source { color: #555; font-size: 13px; }
nav ul { display: inline; padding: 0; } nav li { display: inline; margin-right: 10px; }
"""


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.2%}"


def _decimal(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"
