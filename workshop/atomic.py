"""Files written whole or not at all: what an interrupted build leaves, make can trust."""
import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Iterator


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside `path` to write to; it becomes `path` only when the
    block ends without an error, and is removed otherwise."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp)
    try:
        yield tmp
        umask = os.umask(0)
        os.umask(umask)
        tmp.chmod(0o666 & ~umask)  # as open() would have made it, not mkstemp's 0600
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def as_json(results: dict) -> str:
    """A results file's text: JSON with its keys sorted, so equal runs give equal text."""
    return json.dumps(results, indent=1, sort_keys=True) + "\n"


def write_json(path: str | os.PathLike, results: dict) -> None:
    """Write a results file whole or not at all."""
    with atomic_path(path) as tmp:
        tmp.write_text(as_json(results))
