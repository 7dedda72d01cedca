"""The one way a Detoxify model is loaded, and the one way a weights file is fingerprinted.

Both the configured scorer (scoring.py) and the embedded model (embedded.py, also used by training)
come through here, so the offline environment and the quiet logs are set in one place.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MiB blocks; model versions are its first 12 digits."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_detoxify(**kwargs: Any) -> Any:
    """``detoxify.Detoxify(**kwargs)``; a local ``huggingface_config_path`` means an offline load."""
    if kwargs.get("huggingface_config_path"):
        # Never let transformers reach for the hub when the config and tokenizer are on disk.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    # Progress bars on stderr would break the one-JSON-object-per-line logs.
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    # Imported here: detoxify imports torch and transformers, which only a process that loads a model needs.
    import transformers
    from detoxify import Detoxify

    transformers.utils.logging.disable_progress_bar()
    return Detoxify(**kwargs)
