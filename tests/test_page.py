"""The page in real headless Chromium, driven with the mouse like a person would."""

import base64
import io
import json
import shutil
from pathlib import Path

import keras
import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import expect

from benchmarks.page import draw_strokes
from export import FORMAT_VERSION
from export.browser import serve, site_with_model
from runfolder.layout import CLASSIFIER_MODEL
from tests.helpers import (
    DIGITS,
    SERVICE_WORKER_IN_CONTROL,
    pad_gray,
    portrait_scene,
    run_export,
    run_trainer,
    save_turned_jpeg,
    write_photos,
    zero_float_weights,
)
from trainer.photo import PhotoRecipe, photo_pixels, photo_to_input
from trainer.preprocess import Recipe
from trainer.strokes import fit_to_pad, strokes_to_input

SCREENSHOTS = Path(__file__).resolve().parents[1] / "build" / "screenshots"
SCREENSHOTS.mkdir(parents=True, exist_ok=True)

# Shapes that stress the preprocessing: thin, wide, small and in a corner.
SHAPES = {
    "wide dash": [[(0.1, 0.5), (0.9, 0.52)]],
    "corner tick": [[(0.05, 0.05), (0.12, 0.15), (0.2, 0.08)]],
    "two strokes far apart": [[(0.1, 0.1), (0.1, 0.4)], [(0.85, 0.7), (0.9, 0.9)]],
}




@pytest.fixture(scope="module")
def classifier(trained_dir):
    return keras.models.load_model(trained_dir / CLASSIFIER_MODEL)


def test_page_shows_model_and_no_guess_on_empty_pad(page):
    assert "10 labels" in page.locator("#model-info").inner_text()
    assert page.evaluate("window.app.predict()") == []
    assert page.locator("#results li").count() == 0


@pytest.mark.parametrize("digit", DIGITS)
def test_drawn_digit_top1_matches_keras(page, classifier, digit):
    draw_strokes(page, DIGITS[digit])
    ranked = page.evaluate("window.app.predict()")
    labels = [str(d) for d in range(10)]
    assert sorted(r["label"] for r in ranked) == labels
    assert [r["prob"] for r in ranked] == sorted((r["prob"] for r in ranked), reverse=True)
    shown = page.locator("#results li")
    assert shown.count() == 3
    assert shown.first.get_attribute("data-label") == ranked[0]["label"]
    shown_prob = float(shown.first.get_attribute("data-prob"))
    assert shown_prob == pytest.approx(ranked[0]["prob"], abs=1e-4)

    image = strokes_to_input(page.evaluate("window.app.strokes"), Recipe())
    keras_probs = classifier.predict(image[None, :, :, None].astype("float32"), verbose=0)[0]
    assert ranked[0]["label"] == labels[int(keras_probs.argmax())]
    page_probs = {r["label"]: r["prob"] for r in ranked}
    np.testing.assert_allclose([page_probs[label] for label in labels], keras_probs, atol=2e-3)


@pytest.mark.parametrize("shape", [*DIGITS, *SHAPES])
def test_page_preprocessing_matches_python_within_one_grey_level(page, shape):
    draw_strokes(page, {**DIGITS, **SHAPES}[shape])
    page_input = np.asarray(page.evaluate("async () => Array.from(await window.app.preprocess())"))
    python_input = strokes_to_input(page.evaluate("window.app.strokes"), Recipe())
    assert page_input.shape == (28 * 28,)
    assert np.abs(page_input.reshape(28, 28) - python_input).max() <= 1.0
    assert python_input.max() > 100  # real ink arrived, not two empty fields


def test_stroke_end_shows_results_and_clear_empties_them(page):
    draw_strokes(page, DIGITS["7"])
    expect(page.locator("#results li")).to_have_count(3)
    page.click("#clear")
    assert page.locator("#results li").count() == 0
    assert pad_gray(page).min() == 255
    assert page.evaluate("window.app.predict()") == []


def test_page_reads_preprocessing_from_metadata(page, exported_dir):
    metadata = json.loads((exported_dir / "metadata.json").read_text())
    assert metadata["preprocessing"] == Recipe().to_json()


def model_input(page) -> np.ndarray:
    return np.asarray(page.evaluate("async () => Array.from(await window.app.preprocess())"))


@pytest.mark.parametrize("fill", [0.3, 0.6, 0.9])
def test_a_digit_drawn_small_or_large_is_the_same_input(page, fill):
    """The page renders the strokes at the model's scale with a pen relative to the digit's box:
    the size it was drawn at changes nothing but where the mouse's whole pixels fall."""
    seven = [[(0.2, 0.2), (0.8, 0.2), (0.45, 0.9)], [(0.35, 0.55), (0.7, 0.55)]]
    draw_strokes(page, fit_to_pad(seven, 0.6))
    reference = model_input(page)
    page.click("#clear")
    draw_strokes(page, fit_to_pad(seven, fill))
    drawn = model_input(page)
    assert np.abs(drawn - reference).mean() < 2
    stem = (drawn.reshape(28, 28)[18] > 128).sum()  # a row through the slanted stroke
    assert 2 <= stem <= 3  # 0.12 of the 20 px box: MNIST's stroke width at any drawing size


def test_a_dot_is_not_a_guess(page):
    box = page.locator("#pad").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert pad_gray(page).min() < 100  # the dot is on the pad
    assert page.evaluate("window.app.predict()") == []
    assert page.locator("#results li").count() == 0
    expect(page.locator("#status")).to_have_text("Draw a digit")


def test_drawn_digits_get_their_labels(page):
    for digit in ("1", "7", "0"):
        page.click("#clear")
        draw_strokes(page, DIGITS[digit])
        assert page.evaluate("window.app.predict()")[0]["label"] == digit


def test_undo_removes_the_last_stroke(page):
    draw_strokes(page, DIGITS["4"][:1])
    first_stroke = pad_gray(page) < 128
    draw_strokes(page, DIGITS["4"][1:])
    assert (pad_gray(page) < 128).sum() > first_stroke.sum() * 1.3
    page.click("#undo")
    after_undo = pad_gray(page) < 128
    assert abs(int(after_undo.sum()) - int(first_stroke.sum())) < 0.03 * first_stroke.sum()
    assert (after_undo & ~first_stroke).sum() < 0.03 * first_stroke.sum()


def test_several_digits_read_as_a_number(page):
    page.check("#multi")
    width = {"4": 0.27, "1": 0.12, "7": 0.27}
    strokes, left = [], 0.08
    for digit in "417":
        for stroke in DIGITS[digit]:
            # Squeeze each digit into its own slot of the 2:1 pad.
            strokes.append([(left + (x - 0.2) * width[digit] * 1.25, y) for x, y in stroke])
        left += width[digit] + 0.05
    draw_strokes(page, strokes)
    assert page.evaluate("window.app.readNumber()") == "417"
    expect(page.locator("#number")).to_have_text("417")
    assert page.locator("#results li").count() == 3


def test_backend_override_and_fallback(browser, site_url):
    page = browser.new_page(service_workers="block")
    page.goto(site_url + "?backend=cpu")
    page.evaluate("window.app.ready")
    assert page.evaluate("window.app.backend") == "cpu"
    assert page.locator("#backend").input_value() == "cpu"
    page.close()

    page = browser.new_page(service_workers="block")
    page.route("**/*.wasm", lambda route: route.abort())  # as if wasm could not start here
    page.goto(site_url)
    page.evaluate("window.app.ready")
    assert page.evaluate("window.app.backend") == "webgl"
    draw_strokes(page, DIGITS["7"])
    assert len(page.evaluate("window.app.predict()")) == 10
    page.close()


def test_backends_and_their_order_come_from_the_metadata(browser, exported_dir, tmp_path):
    model = tmp_path / "model"
    shutil.copytree(exported_dir, model)
    metadata = json.loads((model / "metadata.json").read_text())
    (model / "metadata.json").write_text(json.dumps({**metadata, "backends": ["cpu", "webgl"]}))
    with site_with_model(model) as site, serve(site) as base:
        page = browser.new_page(service_workers="block")
        page.goto(base)
        page.evaluate("window.app.ready")
        assert page.evaluate("window.app.backend") == "cpu"
        assert page.locator("#backend option").all_inner_texts() == ["cpu", "webgl"]
        assert page.locator("#backend").input_value() == "cpu"
        page.close()


def test_model_load_failure_is_visible(browser, site_url):
    page = browser.new_page(service_workers="block")
    page.route("**/model/model.json", lambda route: route.fulfill(status=404))
    page.goto(site_url)
    expect(page.locator("#status")).to_contain_text("The model failed to load")
    expect(page.locator("#status")).to_have_attribute("role", "alert")
    page.close()


def test_offline_after_one_visit_and_no_request_leaves_loopback(browser, site_url):
    context = browser.new_context()
    every_request: list[str] = []
    requests: list[str] = []
    context.on("request", lambda request: every_request.append(request.url))
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    page.goto(site_url)
    page.evaluate("window.app.ready")
    page.evaluate(SERVICE_WORKER_IN_CONTROL)
    context.set_offline(True)
    requests.clear()
    page.reload()
    page.evaluate("window.app.ready")
    draw_strokes(page, DIGITS["7"])
    assert page.evaluate("window.app.predict()")[0]["label"] == "7"
    # The service worker's COOP/COEP headers make the page cross-origin isolated, so the wasm
    # backend can run its threaded build.
    assert page.evaluate("crossOriginIsolated") is True
    assert page.evaluate("window.app.backend") == "wasm"
    assert any(url.endswith("/tfjs-backend-wasm-threaded-simd.wasm") for url in requests), requests
    context.close()
    leaving = [url for url in every_request if not url.startswith((site_url, "blob:", "data:"))]
    assert not leaving


@pytest.mark.parametrize("width, height", [(360, 740), (1024, 768), (740, 360), (768, 1024)])
def test_layout_fits_phone_and_tablet(browser, site_url, width, height):
    page = browser.new_page(viewport={"width": width, "height": height},
                            service_workers="block")
    page.goto(site_url)
    page.evaluate("window.app.ready")
    draw_strokes(page, DIGITS["7"])
    expect(page.locator("#results li")).to_have_count(3)
    shot = SCREENSHOTS / f"page-{width}x{height}.png"
    page.screenshot(path=shot, full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    for selector in ("#pad", "#clear", "#undo", "#results li >> nth=0"):
        box = page.locator(selector).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, selector
    pad = page.locator("#pad").bounding_box()
    assert pad["width"] >= 200 and pad["y"] + pad["height"] <= height  # all of it, no scrolling
    page.close()


PHOTO_SIZE = 48  # the JPEG's centre square is larger, the PNG's smaller: both ways of resizing
# The page decodes a photo with Chromium, Python with Pillow (both JPEG decoders are libjpeg-turbo),
# then runs the same arithmetic summed in another order. Measured with Chromium 156 and Pillow 13:
# identical. One grey level allows for a value a hair from .5 that the two orders round apart.
PHOTO_TOLERANCE = 1


@pytest.fixture(scope="module")
def photo_model(tmp_path_factory) -> Path:
    """A compact CNN trained for real on a few small photos at 48 px, then exported."""
    folder = tmp_path_factory.mktemp("photo-model")
    write_photos(folder / "photos")
    run_trainer("train", "--data", folder / "photos", "--out", folder / "trained",
                "--image-size", PHOTO_SIZE, "--epochs", "3", "--batch-size", "8")
    run_export("convert", folder / "trained", "--out", folder / "web",
               "--backends", "wasm", "--images", "4")
    return folder


def cut_out_png(path: Path) -> Path:
    """31 x 46 pixels, fewer than the model input and an odd number more wide than tall, on a
    transparent background."""
    rgba = np.zeros((31, 46, 4), np.uint8)
    rgba[..., :3] = portrait_scene(31, 46)
    rgba[5:25, 10:40, 3] = 255
    rgba[8:14, 15:21, 3] = 128  # half transparent
    Image.fromarray(rgba).save(path)
    return path


def data_url_pixels(url: str) -> np.ndarray:
    header, data = url.split(",", 1)
    assert header == "data:image/png;base64"
    with Image.open(io.BytesIO(base64.b64decode(data))) as image:
        return np.asarray(image.convert("RGB"))


@pytest.mark.parametrize("photo", ["turned.jpg", "cut-out.png"])
def test_photo_page_input_and_top1_match_python(browser, photo_model, tmp_path, photo):
    path = tmp_path / photo
    if photo == "turned.jpg":
        save_turned_jpeg(path, portrait_scene())  # 640 x 480, EXIF-turned to 480 x 640
    else:
        cut_out_png(path)
    metadata = json.loads((photo_model / "web" / "metadata.json").read_text())
    assert metadata["input"] == "photo"
    assert metadata["preprocessing"] == PhotoRecipe(PHOTO_SIZE).to_json()
    python_input = photo_to_input(photo_pixels(path), PhotoRecipe(PHOTO_SIZE))

    with site_with_model(photo_model / "web") as site, serve(site) as base:
        page = browser.new_page(service_workers="block")
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(base)
        page.evaluate("window.app.ready")
        expect(page.locator("#pad")).to_be_hidden()
        expect(page.locator("#photo")).to_be_visible()
        assert page.evaluate("window.app.preprocess()") is None  # no photo yet
        page.set_input_files("#photo", path)
        expect(page.locator("#results li")).to_have_count(3)
        page_input = np.asarray(
            page.evaluate("async () => Array.from(await window.app.preprocess())"))
        shown = data_url_pixels(page.locator("#photo-preview").get_attribute("src"))
        top = page.locator("#results li").first
        page_label, page_prob = top.get_attribute("data-label"), top.get_attribute("data-prob")
        page.close()
    assert not errors, errors

    page_input = page_input.reshape(PHOTO_SIZE, PHOTO_SIZE, 3)
    np.testing.assert_array_equal(page_input, np.round(page_input))  # whole grey levels
    difference = np.abs(page_input - python_input)
    print(f"{photo}: page vs Python, max {difference.max():.0f} grey levels, "
          f"{np.mean(difference > 0):.2%} of values differ")
    assert difference.max() <= PHOTO_TOLERANCE and np.mean(difference > 0) < 0.01
    np.testing.assert_array_equal(shown, page_input)  # the preview is what the model sees
    if photo == "turned.jpg":  # upright: the red block top left, not lying on its side
        assert page_input[9:14, 8:16, 0].min() > 180 and page_input[9:14, 8:16, 2].max() < 90

    classifier = keras.models.load_model(photo_model / "trained" / CLASSIFIER_MODEL)
    keras_probs = classifier.predict(python_input[None].astype("float32"), verbose=0)[0]
    assert page_label == metadata["labels"][int(keras_probs.argmax())]
    assert float(page_prob) == pytest.approx(float(keras_probs.max()), abs=1e-2)


@pytest.mark.parametrize("change, message", [
    ({"format_version": FORMAT_VERSION + 1},
     f"model/metadata.json: format_version {FORMAT_VERSION + 1} is unknown to this page "
     f"(it reads {FORMAT_VERSION})"),
    ({"preprocessing": {"kind": "mnist-box-com", "size": 28}},
     'model/metadata.json: preprocessing.kind: "mnist-box-com" is not one of "strokes-box-com", '
     '"photo-centre-crop"'),
    ({"input": "photo", "channels": 3},
     'model/metadata.json: preprocessing.kind: "photo-centre-crop" was expected'),
    # issue 35: a damaged run's export, and fields of the wrong type, named by field
    ({"preprocessing": []}, "model/metadata.json: preprocessing: [] is not of type object"),
    ({"backends": []}, "model/metadata.json: backends: 0 items, fewer than 1"),
    ({"labels": "0123456789"},
     'model/metadata.json: labels: "0123456789" is not of type array'),
])
def test_metadata_the_page_cannot_read_is_refused(browser, exported_dir, tmp_path, change,
                                                     message):
    model = tmp_path / "model"
    shutil.copytree(exported_dir, model)
    metadata = json.loads((model / "metadata.json").read_text())
    (model / "metadata.json").write_text(json.dumps({**metadata, **change}))
    with site_with_model(model) as site, serve(site) as base:
        page = browser.new_page(service_workers="block")
        page.goto(base)
        status = page.locator("#status")
        expect(status).to_have_text(f"The model failed to load: {message}")
        expect(status).to_have_attribute("role", "alert")
        expect(status).to_be_visible()
        page.close()


def test_installable_and_served_from_a_sub_path(browser, exported_dir, tmp_path):
    root = tmp_path / "host"
    (root / "classes" / "2b").mkdir(parents=True)
    with site_with_model(exported_dir) as site:
        (root / "classes" / "2b" / "digits").symlink_to(site)
        with serve(root) as base:
            page = browser.new_page()
            page.goto(base + "classes/2b/digits/")
            page.evaluate("window.app.ready")
            page.evaluate(SERVICE_WORKER_IN_CONTROL)
            draw_strokes(page, DIGITS["1"])
            assert page.evaluate("window.app.predict()")[0]["label"] == "1"
            cdp = page.context.new_cdp_session(page)
            errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
            # Playwright's contexts are incognito, where nothing installs; nothing else may stop it.
            assert [e["errorId"] for e in errors] == ["in-incognito"], errors
            page.close()


def test_labels_come_from_the_metadata(browser, exported_dir, tmp_path):
    kanji_model = tmp_path / "model"
    shutil.copytree(exported_dir, kanji_model)
    metadata = json.loads((kanji_model / "metadata.json").read_text())
    kanji = list("〇一二三四五六七八九")
    (kanji_model / "metadata.json").write_text(
        json.dumps({**metadata, "labels": kanji}, ensure_ascii=False)
    )
    with site_with_model(kanji_model) as site, serve(site) as base:
        page = browser.new_page(service_workers="block")
        page.goto(base)
        page.evaluate("window.app.ready")
        draw_strokes(page, DIGITS["7"])
        assert page.evaluate("window.app.predict()")[0]["label"] == "七"
        expect(page.locator("#results li").first).to_have_attribute("data-label", "七")
        expect(page.locator("#results li").first).to_contain_text("七")
        expect(page.locator("#status")).not_to_contain_text("digit")
        page.close()


def test_low_confidence_says_not_sure(browser, exported_dir, tmp_path):
    blank_model = tmp_path / "model"
    shutil.copytree(exported_dir, blank_model)
    zero_float_weights(blank_model)  # every logit 0: each label gets 10%
    with site_with_model(blank_model) as site, serve(site) as base:
        page = browser.new_page(service_workers="block")
        page.goto(base)
        page.evaluate("window.app.ready")
        draw_strokes(page, DIGITS["7"])
        ranked = page.evaluate("window.app.predict()")
        assert ranked[0]["prob"] == pytest.approx(0.1)
        best_two = f"{ranked[0]['label']} or {ranked[1]['label']}"
        expect(page.locator("#status")).to_have_text(f"Not sure: {best_two}?")
        expect(page.locator("#results")).to_have_class("unsure")
        page.close()
