import numpy as np
import pytest

from trainer.preprocess import Recipe, area_weights, canvas_to_input


def pad_with(rectangles: list[tuple[int, int, int, int]], size: int = 280) -> np.ndarray:
    """A white pad with black rectangles (top, left, bottom, right)."""
    gray = np.full((size, size), 255, np.uint8)
    for top, left, bottom, right in rectangles:
        gray[top:bottom, left:right] = 0
    return gray


def test_blank_pad_gives_nothing():
    assert canvas_to_input(pad_with([])) is None


@pytest.mark.parametrize("target, source", [(20, 280), (20, 37), (7, 3), (20, 20)])
def test_area_weights_average(target, source):
    weights = area_weights(target, source)
    np.testing.assert_allclose(weights.sum(axis=1), 1.0)
    np.testing.assert_allclose(weights.sum(axis=0), target / source)


def test_longer_side_scaled_to_box_and_centred_by_mass():
    # A tall bar: 200 px high, 40 px wide, far off-centre on the pad.
    field = canvas_to_input(pad_with([(10, 200, 210, 240)]))
    ink = field > 0
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    assert rows[-1] - rows[0] + 1 == Recipe().box
    assert cols[-1] - cols[0] + 1 == 4
    assert field.max() == pytest.approx(255)
    centre = [(field.sum(axis=a) * (np.arange(28) + 0.5)).sum() / field.sum() for a in (1, 0)]
    np.testing.assert_allclose(centre, [14, 14], atol=0.5)


def test_faint_marks_below_threshold_are_ignored():
    gray = pad_with([(100, 100, 180, 120)])
    gray[5, 5] = 255 - Recipe().ink_threshold  # anti-aliasing dust, not ink
    assert canvas_to_input(gray) == pytest.approx(canvas_to_input(pad_with([(100, 100, 180, 120)])))
