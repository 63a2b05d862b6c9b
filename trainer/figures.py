"""The report's pictures: matplotlib figures and the images the model saw.

Figures are matplotlib `Figure`s saved straight to PNG (Agg), without pyplot: no display, no
global figure state.

Labels are drawn in DejaVu Sans (matplotlib's own), falling back to Noto Sans CJK for kana and
kanji where it is installed (Debian's fonts-noto-cjk, which `make test` installs); `missing_glyphs`
says which label characters the fonts there cannot draw, and the figures show those as boxes.
All text is drawn as it is: a label such as `$\\alpha$` is those characters, never mathtext.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font
from PIL import Image

from trainer.scores import Calibration

FONT_FAMILIES = ("DejaVu Sans", "Noto Sans CJK JP")
CJK_FONT_PACKAGE = "fonts-noto-cjk"
TICK_LABELS_UP_TO = 60  # more labels than this along an axis: no tick per label
DPI = 100
GRADCAM_OPACITY = 0.45
GRADCAM_COLOURS = "jet"
SHARE_COLOURS = "Blues"
matplotlib.rcParams["text.parse_math"] = False  # labels are text, whatever characters they hold


def use_label_fonts() -> list[Path]:
    """Draw text in the first of FONT_FAMILIES installed that has each character; the font files
    used. A family that is not installed is left out: matplotlib would say so at every label."""
    files = [font_file(family) for family in FONT_FAMILIES]
    if None in files:
        add_fonts_installed_since_cached()
        files = [font_file(family) for family in FONT_FAMILIES]
    installed = {family: path for family, path in zip(FONT_FAMILIES, files, strict=True) if path}
    matplotlib.rcParams["font.family"] = list(installed)
    return list(installed.values())


def font_file(family: str) -> Path | None:
    try:
        return Path(font_manager.fontManager.findfont(font_manager.FontProperties(family=family),
                                                      fallback_to_default=False))
    except ValueError:
        return None


def add_fonts_installed_since_cached() -> None:
    """matplotlib keeps the system's font list from its first run (~/.cache/matplotlib): a font
    installed since, as `make report` installs fonts-noto-cjk, stays unknown to it until added."""
    manager = font_manager.fontManager
    known = {entry.fname for entry in manager.ttflist}
    for path in font_manager.findSystemFonts():
        if path not in known:
            try:
                manager.addfont(path)
            except (OSError, RuntimeError):  # as matplotlib itself skips a font it cannot read
                continue


def missing_glyphs(labels: list[str], fonts: list[Path]) -> list[str]:
    """The characters of `labels` that none of `fonts` can draw."""
    covered: set[int] = set()
    for font in fonts:
        covered |= set(FT2Font(str(font)).get_charmap())
    wanted = sorted({char for label in labels for char in label if not char.isspace()})
    return [char for char in wanted if ord(char) not in covered]


def learning_curves(history: dict[str, list[float]], head_epochs: int, path: Path) -> None:
    """Loss and accuracy per epoch, training and validation; the phase change when there is
    one."""
    figure = Figure(figsize=(10, 3.6), dpi=DPI)
    axes = figure.subplots(1, 2)
    epochs = np.arange(1, len(next(iter(history.values()))) + 1)
    for axis, metric in zip(axes, ("loss", "accuracy"), strict=True):
        for key, name in ((metric, "training"), (f"val_{metric}", "validation")):
            if key in history:
                axis.plot(epochs, history[key], marker="o", markersize=3, label=name)
        if head_epochs:
            axis.axvline(head_epochs + 0.5, color="grey", linestyle="--",
                         label="head alone | whole model")
        axis.set_xlabel("epoch")
        axis.set_title(metric)
        axis.grid(alpha=0.3)
        axis.legend()
    _save(figure, path)


def confusion_heatmap(counts: np.ndarray, labels: list[str], path: Path) -> None:
    """True rows, predicted columns; colour by the share of the row, counts written in."""
    rows = counts.sum(axis=1, keepdims=True)
    share = np.divide(counts, rows, out=np.zeros(counts.shape), where=rows > 0)
    side = 1.6 + 0.42 * len(labels)
    figure = Figure(figsize=(side + 1.2, side), dpi=DPI)
    axis = figure.subplots()
    image = axis.imshow(share, cmap=SHARE_COLOURS, vmin=0, vmax=1)
    figure.colorbar(image, ax=axis, fraction=0.046, pad=0.04, label="share of the true label")
    ticks = np.arange(len(labels))
    axis.set_xticks(ticks, labels)
    axis.set_yticks(ticks, labels)
    axis.set_xlabel("read as")
    axis.set_ylabel("true label")
    small = 7 if len(labels) > 15 else 9
    for (row, column), count in np.ndenumerate(counts):
        if count:
            colour = "white" if share[row, column] > 0.6 else "black"
            axis.text(column, row, str(count), ha="center", va="center", fontsize=small,
                      color=colour)
    _save(figure, path)


def reliability_diagram(calibration: Calibration, threshold: float | None, path: Path) -> None:
    """Accuracy against confidence per bin; the diagonal is perfect calibration."""
    figure = Figure(figsize=(4.6, 4.2), dpi=DPI)
    axis = figure.subplots()
    axis.plot([0, 1], [0, 1], color="grey", linestyle=":", label="perfectly calibrated")
    axis.plot(calibration.confidence, calibration.accuracy, marker="o", label="this set")
    if threshold is not None:
        axis.axvline(threshold, color="tab:red", linestyle="--",
                     label=f'"not sure" below {threshold:.2f}')
    axis.set_xlim(0, 1)
    axis.set_ylim(0, 1.02)
    axis.set_xlabel("top probability (mean in each bin)")
    axis.set_ylabel("share right")
    axis.set_title(f"ECE {calibration.expected_error:.4f}")
    axis.grid(alpha=0.3)
    axis.legend(loc="upper left", fontsize=8)
    _save(figure, path)


def risk_coverage_curve(coverage: np.ndarray, risk: np.ndarray, threshold: float | None,
                        sure: float | None, path: Path) -> None:
    """Error rate among the answers given, answering only the surest first; the "not sure"
    threshold's point marked."""
    figure = Figure(figsize=(4.6, 4.2), dpi=DPI)
    axis = figure.subplots()
    axis.plot(coverage, risk, label="this set")
    if threshold is not None and sure:
        at = coverage <= sure
        axis.plot([sure], [risk[at][-1] if at.any() else 0], marker="o", color="tab:red",
                  linestyle="none", label=f'sure answers (top probability \u2265 {threshold:.2f})')
    axis.set_xlim(0, 1)
    axis.set_ylim(0, max(0.01, float(risk.max()) * 1.1))
    axis.set_xlabel("coverage: share of answers given as sure")
    axis.set_ylabel("risk: share of them wrong")
    axis.grid(alpha=0.3)
    axis.legend(loc="upper left", fontsize=8)
    _save(figure, path)


def per_class_chart(labels: list[str], precision: np.ndarray, recall: np.ndarray,
                    path: Path) -> None:
    figure = Figure(figsize=(max(5.0, 0.32 * len(labels) + 1.5), 3.4), dpi=DPI)
    axis = figure.subplots()
    positions = np.arange(len(labels))
    axis.bar(positions - 0.2, precision, width=0.4, label="precision")
    axis.bar(positions + 0.2, recall, width=0.4, label="recall")
    axis.set_xticks(positions, labels)
    axis.set_ylim(0, 1.05)
    axis.grid(axis="y", alpha=0.3)
    axis.legend(loc="lower right", fontsize=8)
    _save(figure, path)


def class_counts_chart(counts: list[int], labels: list[str], path: Path) -> None:
    """Training images per label; with many labels, sorted, without a tick per label."""
    figure = Figure(figsize=(max(5.0, min(14.0, 0.32 * len(labels) + 1.5)), 3.2), dpi=DPI)
    axis = figure.subplots()
    if len(labels) <= TICK_LABELS_UP_TO:
        axis.bar(np.arange(len(labels)), counts)
        axis.set_xticks(np.arange(len(labels)), labels)
    else:
        axis.bar(np.arange(len(labels)), np.sort(counts)[::-1], width=1.0)
        axis.set_xlabel(f"the {len(labels):,} labels, most images first")
    axis.set_ylabel("training images")
    axis.grid(axis="y", alpha=0.3)
    _save(figure, path)


def save_image(image: np.ndarray, path: Path) -> None:
    """A model input as a PNG at its own size (the page scales it up, pixelated)."""
    Image.fromarray(image).save(path)


def save_gradcam(image: np.ndarray, heatmap: np.ndarray, path: Path) -> None:
    """The input in grey with the Grad-CAM map over it in colour."""
    grey = image if image.ndim == 3 else np.repeat(image[..., None], 3, axis=2)
    colours = matplotlib.colormaps[GRADCAM_COLOURS](heatmap)[..., :3] * 255
    blended = (1 - GRADCAM_OPACITY) * grey + GRADCAM_OPACITY * colours
    Image.fromarray(np.rint(blended).astype(np.uint8)).save(path)


def _save(figure: Figure, path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # missing glyphs: said once, in one line
        figure.tight_layout()
        figure.savefig(path)
