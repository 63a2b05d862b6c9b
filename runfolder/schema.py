"""The one definition of run.json (runfolder/run.schema.json) and of metadata.json
(web/metadata.schema.json, which the page checks too): every field's type and range, checked with
jsonschema by every command that reads or writes either file."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import cast

from jsonschema import Draft202012Validator, ValidationError
from jsonschema.exceptions import best_match
from referencing import Registry, Resource

RUN_SCHEMA = Path(__file__).with_name("run.schema.json")
# The page's own file in a checkout; installed, a copy inside this package (pyproject.toml).
_INSTALLED_METADATA_SCHEMA = Path(__file__).with_name("web") / "metadata.schema.json"
METADATA_SCHEMA = (_INSTALLED_METADATA_SCHEMA if _INSTALLED_METADATA_SCHEMA.is_file()
                   else Path(__file__).resolve().parents[1] / "web" / "metadata.schema.json")
SHOWN = 120  # characters of a bad value a message quotes


@cache
def _validator(schema_file: Path) -> Draft202012Validator:
    schemas = {path: json.loads(path.read_text()) for path in (RUN_SCHEMA, METADATA_SCHEMA)}
    registry = Registry().with_resources(
        (schema["$id"], Resource.from_contents(schema)) for schema in schemas.values()
    )
    return Draft202012Validator(schemas[schema_file], registry=registry)


def schema_problem(document: object, schema_file: Path) -> str | None:
    """None when `document` fits the schema; else one line: the field and what is wrong."""
    error = best_match(_validator(schema_file).iter_errors(document))
    if error is None:
        return size_problem(cast(dict, document))  # it fits the schema: an object
    if error.validator == "required":
        where = "".join(f"{key}." for key in error.absolute_path)
        missing = [name for name in error.validator_value if name not in error.instance]
        return f"no {', '.join(where + name for name in missing)}"
    return _describe(error)


def size_problem(document: dict) -> str | None:
    """The one rule JSON Schema cannot state, checked on the page too (web/metadata.js): the
    recipe makes inputs of the model's size."""
    size, made = document["input_size"], document["preprocessing"]["size"]
    return None if size == made else f"preprocessing.size: {made}, but input_size is {size}"


def _describe(error: ValidationError) -> str:
    field = ".".join(map(str, error.absolute_path)) or "the whole file"
    message = " ".join(error.message.split())
    if len(message) > SHOWN:
        message = f"{message[:SHOWN]}…"
    return f"{field}: {message}"
