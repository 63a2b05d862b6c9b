"""The page in real headless Chromium, driven with the mouse like a person would."""

import json

import keras
import numpy as np
import pytest
from playwright.sync_api import expect

from export.browser import draw_strokes
from trainer.model import CLASSIFIER
from trainer.preprocess import Recipe, canvas_to_input

# Strokes in pad coordinates (0..1), as a person might draw each digit.
DIGITS = {
    "1": [[(0.52, 0.15), (0.50, 0.85)]],
    "7": [[(0.25, 0.2), (0.75, 0.2), (0.45, 0.85)]],
    "4": [[(0.6, 0.15), (0.25, 0.6), (0.8, 0.6)], [(0.62, 0.35), (0.6, 0.85)]],
    "0": [[(0.5 + 0.22 * np.sin(t), 0.5 - 0.32 * np.cos(t)) for t in np.linspace(0, 6.4, 40)]],
}
# Shapes that stress the preprocessing: thin, wide, small and in a corner.
SHAPES = {
    "wide dash": [[(0.1, 0.5), (0.9, 0.52)]],
    "corner tick": [[(0.05, 0.05), (0.12, 0.15), (0.2, 0.08)]],
    "two strokes far apart": [[(0.1, 0.1), (0.1, 0.4)], [(0.85, 0.7), (0.9, 0.9)]],
}


def pad_gray(page) -> np.ndarray:
    """The pad's pixels as the page's fromPixels(canvas, 1) reads them: the red channel."""
    size, rgba = page.evaluate("""() => {
        const pad = document.getElementById('pad');
        const data = pad.getContext('2d').getImageData(0, 0, pad.width, pad.height).data;
        return [[pad.height, pad.width], Array.from(data)];
    }""")
    return np.asarray(rgba, np.uint8).reshape(*size, 4)[..., 0]


@pytest.fixture(scope="module")
def classifier(trained_dir):
    return keras.models.load_model(trained_dir / "best.keras").get_layer(CLASSIFIER)


def test_page_shows_model_and_no_guess_on_empty_pad(page):
    assert "10 labels" in page.locator("#model-info").inner_text()
    assert page.evaluate("window.recognizer.predict()") == []
    assert page.locator("#results li").count() == 0


@pytest.mark.parametrize("digit", DIGITS)
def test_drawn_digit_top1_matches_keras(page, classifier, digit):
    draw_strokes(page, DIGITS[digit])
    ranked = page.evaluate("window.recognizer.predict()")
    labels = [str(d) for d in range(10)]
    assert sorted(r["label"] for r in ranked) == labels
    assert [r["prob"] for r in ranked] == sorted((r["prob"] for r in ranked), reverse=True)
    shown = page.locator("#results li")
    assert shown.count() == 3
    assert shown.first.get_attribute("data-label") == ranked[0]["label"]
    shown_prob = float(shown.first.get_attribute("data-prob"))
    assert shown_prob == pytest.approx(ranked[0]["prob"], abs=1e-4)

    image = canvas_to_input(pad_gray(page))
    keras_probs = classifier.predict(image[None, :, :, None].astype("float32"), verbose=0)[0]
    assert ranked[0]["label"] == labels[int(keras_probs.argmax())]
    page_probs = {r["label"]: r["prob"] for r in ranked}
    np.testing.assert_allclose([page_probs[label] for label in labels], keras_probs, atol=2e-3)


@pytest.mark.parametrize("shape", [*DIGITS, *SHAPES])
def test_page_preprocessing_matches_python_within_one_grey_level(page, shape):
    draw_strokes(page, {**DIGITS, **SHAPES}[shape])
    page_input = np.asarray(page.evaluate("async () => Array.from(await recognizer.preprocess())"))
    python_input = canvas_to_input(pad_gray(page))
    assert page_input.shape == (28 * 28,)
    assert np.abs(page_input.reshape(28, 28) - python_input).max() <= 1.0
    assert python_input.max() > 100  # real ink arrived, not two empty fields


def test_stroke_end_shows_results_and_clear_empties_them(page):
    draw_strokes(page, DIGITS["7"])
    expect(page.locator("#results li")).to_have_count(3)
    page.click("#clear")
    assert page.locator("#results li").count() == 0
    assert pad_gray(page).min() == 255
    assert page.evaluate("window.recognizer.predict()") == []


def test_page_reads_preprocessing_from_metadata(page, exported_dir):
    metadata = json.loads((exported_dir / "metadata.json").read_text())
    assert metadata["preprocessing"] == Recipe().to_json()
    draw_strokes(page, DIGITS["1"])
    pen_width = page.evaluate("document.getElementById('pad').getContext('2d').lineWidth")
    assert pen_width == pytest.approx(280 * Recipe().stroke_fraction)
