"""Files that survive a crash: atomic writes, and bundles of arrays named by a checked manifest.

A bundle is a folder holding one `.npy` file per array plus `manifest.json`, which names the
files with their sizes and sha256. New array files are written under fresh names first and the
manifest is replaced last, so a crash at any point leaves either the old bundle or the new one.
Loading checks every file against the manifest: a damaged or half-written bundle is refused,
never half trusted. No pickled objects are ever written or read.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import itertools
import json
import os
import secrets
import tempfile
from pathlib import Path

import numpy as np

MANIFEST_NAME = "manifest.json"


def write_atomically(path: Path, data: bytes) -> None:
    """Write bytes to `path` so that a crash leaves either the old or the new content."""
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    fsync_directory(path.parent)


def fsync_directory(directory: Path) -> None:
    """Flush a folder's entries: a rename or unlink is only durable once they are."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def save_arrays(directory: Path, header: dict[str, object], arrays: dict[str, np.ndarray]) -> None:
    """Replace the bundle in `directory` with these flat arrays and header fields."""
    directory.mkdir(parents=True, exist_ok=True)
    generation = secrets.token_hex(8)
    files: dict[str, dict[str, object]] = {}
    for name, array in arrays.items():
        buffer = io.BytesIO()
        np.save(buffer, array, allow_pickle=False)
        data = buffer.getvalue()
        filename = f"{name}.{generation}.npy"
        _write_synced(directory / filename, data)
        files[name] = {
            "file": filename,
            "sha256": hashlib.sha256(data).hexdigest(),
            "bytes": len(data),
        }
    manifest = {**header, "files": files}
    temporary = directory / f"{MANIFEST_NAME}.{generation}.tmp"
    _write_synced(temporary, json.dumps(manifest, indent=1).encode("utf-8"))
    os.replace(temporary, directory / MANIFEST_NAME)
    fsync_directory(directory)
    current = {entry["file"] for entry in files.values()}
    for stale in directory.iterdir():
        if stale.name != MANIFEST_NAME and stale.name not in current:
            with contextlib.suppress(OSError):
                stale.unlink()


def load_manifest(directory: Path) -> dict[str, object]:
    """The bundle's manifest (header fields and files); OSError/ValueError when unreadable."""
    manifest = json.loads((directory / MANIFEST_NAME).read_text(encoding="utf-8"))
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        raise ValueError("not a bundle manifest")
    return manifest


def load_arrays(
    directory: Path, manifest: dict[str, object], names: tuple[str, ...]
) -> dict[str, np.ndarray]:
    """The named arrays of the bundle, each checked against the manifest (ValueError if not)."""
    files = manifest["files"]
    assert isinstance(files, dict)
    return {name: _read_checked(directory, files[name]) for name in names}


def _write_synced(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _read_checked(directory: Path, entry: dict[str, object]) -> np.ndarray:
    """One saved array, after checking its size and sha256 against the manifest."""
    name = str(entry["file"])
    if Path(name).name != name:
        raise ValueError("manifest names a file outside the bundle's folder")
    data = (directory / name).read_bytes()
    if len(data) != entry["bytes"] or hashlib.sha256(data).hexdigest() != entry["sha256"]:
        raise ValueError(f"{name} does not match its checksum")
    array = np.load(io.BytesIO(data), allow_pickle=False)
    if not isinstance(array, np.ndarray) or array.ndim != 1:
        raise ValueError(f"{name} is not a flat array")
    return array


def encode_strings(strings: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Strings as one UTF-8 byte array plus offsets; lone surrogates (valid in JSON) survive."""
    encoded = [s.encode("utf-8", "surrogatepass") for s in strings]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(e) for e in encoded], out=offsets[1:])
    return np.frombuffer(b"".join(encoded), dtype=np.uint8), offsets


def decode_strings(blob: np.ndarray, offsets: np.ndarray) -> list[str]:
    """Inverse of `encode_strings`; ValueError (or UnicodeDecodeError) on inconsistent input."""
    if blob.dtype != np.uint8 or offsets.dtype != np.int64 or len(offsets) < 1:
        raise ValueError("bad string arrays")
    if offsets[0] != 0 or offsets[-1] != len(blob) or np.any(np.diff(offsets) < 0):
        raise ValueError("bad string offsets")
    data = blob.data
    return [
        str(data[a:b], "utf-8", "surrogatepass") for a, b in itertools.pairwise(offsets.tolist())
    ]
