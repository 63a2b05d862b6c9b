"""TensorFlow loads without its C++ log lines on stderr, unless the user asked for them."""

from __future__ import annotations

import importlib.abc
import importlib.util
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib.machinery import ModuleSpec
from types import ModuleType

LOG_LEVEL = "TF_CPP_MIN_LOG_LEVEL"


def quiet_tensorflow() -> None:
    """Unless TF_CPP_MIN_LOG_LEVEL is set: TensorFlow's C++ logging off, errors included (a real
    failure reaches Python as an exception), and stderr discarded while TensorFlow loads.

    The level alone is not enough: loading TensorFlow's libraries registers CUDA plugins and
    computation placers twice, and absl prints each duplicate before its logging is initialised,
    which no variable reaches. Call this before anything imports TensorFlow.
    """
    if LOG_LEVEL in os.environ:
        return
    os.environ[LOG_LEVEL] = "3"
    sys.meta_path.insert(0, _SilentFirstImport("tensorflow"))


class _SilentFirstImport(importlib.abc.MetaPathFinder):
    """Finds the module `name` as usual, and has its first import run with stderr discarded."""

    def __init__(self, name: str) -> None:
        self.name = name

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname != self.name:
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        if spec is not None and spec.loader is not None:
            spec.loader = _Silent(spec.loader)
        return spec


class _Silent(importlib.abc.Loader):
    def __init__(self, loader: importlib.abc.Loader) -> None:
        self.loader = loader

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        return self.loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        module.__loader__ = self.loader  # the module sees its own loader
        if module.__spec__ is not None:
            module.__spec__.loader = self.loader
        with stderr_discarded():
            self.loader.exec_module(module)


@contextmanager
def stderr_discarded() -> Iterator[None]:
    """File descriptor 2 on /dev/null, so that C++ libraries are silent too."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
