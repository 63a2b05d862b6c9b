"""The site's catalog of models, models.json beside index.html: the models the page offers.

A site keeps its default model in model/ (what the page loads without ?model=) and any other in
models/NAME/ (?model=NAME). An export into either adds itself to the catalog: the default under
its training folder's name, any other under NAME. web/models.js reads the catalog on the page
and web/model-folders.js holds the same layout for the service worker.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from export import ExportError
from runfolder.atomic import write_whole
from runfolder.record import read_json_file

CATALOG = "models.json"
DEFAULT_FOLDER = "model"
MODELS_FOLDER = "models"
UNNAMED_DEFAULT = "default"  # a default model the catalog did not list
# A name that goes into a URL and a folder's name as it is.
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


@dataclass(frozen=True)
class SitePlace:
    """Where an export sits in a site: the site's folder, and the model's folder and name in it."""

    site: Path
    folder: str  # relative to the site, ending in "/", as the page names it
    name: str


def place_in_site(out: Path, default_name: str) -> SitePlace | None:
    """`out`'s place in a site when it is SITE/model or SITE/models/NAME; else None."""
    if out.name == DEFAULT_FOLDER:
        return SitePlace(out.parent, f"{DEFAULT_FOLDER}/", default_name)
    if out.parent.name == MODELS_FOLDER:
        if not NAME.fullmatch(out.name):
            raise ExportError(f"--out: {out}: a model's name on the site is letters, digits, "
                              "'-' and '_' (it is the page's ?model=)")
        return SitePlace(out.parent.parent, f"{MODELS_FOLDER}/{out.name}/", out.name)
    return None


def read_catalog(site: Path) -> list[dict[str, str]]:
    """The catalog's entries, [] when there is none; an ExportError naming it when damaged."""
    path = site / CATALOG
    if not path.exists():
        return []
    catalog = read_json_file(path, "model catalog", ExportError)
    entries = catalog.get("models") if isinstance(catalog, dict) else None
    if not isinstance(entries, list) or not all(
        isinstance(entry, dict) and isinstance(entry.get("name"), str)
        and isinstance(entry.get("folder"), str) for entry in entries
    ):
        raise ExportError(f"{path}: not a model catalog (a list of models, each a name and a "
                          "folder); delete it and export each model again")
    return entries


def add_to_catalog(place: SitePlace) -> None:
    """Put `place` in its site's catalog, replacing an entry of the same folder or name, and
    leaving out the entries whose folder holds no model any more; a default model exported
    before the site had a catalog is added as "default". Written whole, atomically."""
    kept = [
        entry for entry in read_catalog(place.site)
        if place.folder != entry["folder"] and place.name != entry["name"]
        and holds_model(place.site, entry["folder"])
    ]
    entries = [*kept, {"name": place.name, "folder": place.folder}]
    default = f"{DEFAULT_FOLDER}/"
    if holds_model(place.site, default) and all(entry["folder"] != default for entry in entries):
        entries.append({"name": UNNAMED_DEFAULT, "folder": default})
    entries.sort(key=lambda entry: entry["folder"] != default)  # the default first
    text = json.dumps({"models": entries}, indent=1, ensure_ascii=False) + "\n"
    write_whole(place.site / CATALOG, lambda path: path.write_text(text, encoding="utf-8"))


def holds_model(site: Path, folder: str) -> bool:
    return (site / folder / "metadata.json").is_file()
