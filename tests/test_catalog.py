"""The site's catalog of models (export/catalog.py): what an export into a site adds to it."""

from pathlib import Path

import pytest

from export import ExportError
from export.catalog import SitePlace, add_to_catalog, place_in_site, read_catalog


def a_model(site: Path, folder: str) -> None:
    (site / folder).mkdir(parents=True)
    (site / folder / "metadata.json").write_text("{}")


def test_exports_add_themselves_the_default_first_and_a_gone_model_left_out(tmp_path):
    site = tmp_path / "web"
    for folder in ("models/kana/", "model/", "models/kanji/"):
        a_model(site, folder)
    for out, training in ((site / "models" / "kana", "x"), (site / "model", "mnist"),
                          (site / "models" / "kanji", "y"), (site / "models" / "kana", "z")):
        add_to_catalog(place_in_site(out, training))
    (site / "models" / "kanji" / "metadata.json").unlink()
    add_to_catalog(place_in_site(site / "model", "digits"))
    assert read_catalog(site) == [{"name": "digits", "folder": "model/"},
                                  {"name": "kana", "folder": "models/kana/"}]
    assert sorted(path.name for path in site.iterdir()) == ["model", "models", "models.json"]


def test_a_default_model_exported_before_the_catalog_is_listed_as_default(tmp_path):
    for folder in ("model/", "models/kana/"):
        a_model(tmp_path, folder)
    add_to_catalog(place_in_site(tmp_path / "models" / "kana", "x"))
    assert read_catalog(tmp_path) == [{"name": "default", "folder": "model/"},
                                      {"name": "kana", "folder": "models/kana/"}]


def test_only_a_site_s_model_folders_have_a_place_in_it(tmp_path):
    assert place_in_site(tmp_path / "export", "mnist") is None
    assert place_in_site(tmp_path / "web" / "models" / "kana", "x") == SitePlace(
        tmp_path / "web", "models/kana/", "kana")
    with pytest.raises(ExportError, match=r"^--out: .*models/a\?b: a model's name"):
        place_in_site(tmp_path / "models" / "a?b", "x")


@pytest.mark.parametrize("text", ["{", "[]", '{"models": [{"name": "x"}]}'])
def test_a_damaged_catalog_is_one_error_naming_it(tmp_path, text):
    (tmp_path / "models.json").write_text(text)
    with pytest.raises(ExportError, match=f"^{tmp_path}/models.json: "):
        read_catalog(tmp_path)
    assert (tmp_path / "models.json").read_text() == text
