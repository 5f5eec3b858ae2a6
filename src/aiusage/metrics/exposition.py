"""Render a registry in the classic Prometheus text format or in OpenMetrics; write it atomically.

A file is written as node_exporter's textfile collector expects: a temporary file in the same
folder, then one ``os.replace``, so a reader sees the old file or the new one, never half. It is
made readable by everyone (0644) because node_exporter usually runs as another user; the file
holds no key, e-mail or folder path unless ``--by project|user`` put them there on purpose.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Literal, cast

from prometheus_client import exposition as classic
from prometheus_client.openmetrics import exposition as openmetrics
from prometheus_client.registry import CollectorRegistry

from aiusage.errors import ConfigError

Format = Literal["prometheus", "openmetrics"]
FILE_MODE = 0o644
CONTENT_TYPES: dict[Format, str] = {
    "prometheus": classic.CONTENT_TYPE_PLAIN_0_0_4,
    "openmetrics": openmetrics.CONTENT_TYPE_LATEST,
}


def render(registry: CollectorRegistry, output_format: Format) -> bytes:
    if output_format == "openmetrics":
        # This module of prometheus-client has no type hints.
        return cast(bytes, openmetrics.generate_latest(registry))  # type: ignore[no-untyped-call]
    return classic.generate_latest(registry)


def write_atomically(path: Path, content: bytes) -> None:
    """Replace ``path`` with ``content`` in one step.

    Raises:
        ConfigError: the folder is missing or not writable, or ``path`` is a folder.
    """
    folder = path.parent
    temporary: str | None = None
    try:
        if path.is_dir():
            raise IsADirectoryError(21, "is a folder")
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, FILE_MODE)
        os.replace(temporary, path)
        temporary = None
    except OSError as exc:
        raise ConfigError(
            f"cannot write {path} ({exc.strerror or exc.__class__.__name__}); "
            "give --output a file in an existing folder you can write to"
        ) from None
    finally:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
