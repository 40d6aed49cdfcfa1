"""Pack the assignment's code files into assignment_code.zip for delivery.

`python create_submission_zip.py` writes assignment_code.zip beside this file, with the
eight code files (mnist.py utils.py trainer.py task2a.py task2.py task3a.py task3.py
task4.py) at its top level, and lists them. It refuses to write a zip when a file is
missing. Hand the zip in with report.pdf. Takes under a second.
"""
import argparse
import os
import sys
import tempfile
import zipfile
from pathlib import Path

CODE_FILES = ("mnist.py", "utils.py", "trainer.py", "task2a.py", "task2.py", "task3a.py",
              "task3.py", "task4.py")
ZIP_NAME = "assignment_code.zip"


def create_zip(folder: Path, zip_path: Path) -> list[str]:
    """Write zip_path with CODE_FILES from folder, flat; return the names packed.

    Raises:
        FileNotFoundError naming every missing file; no zip is written then
    """
    missing = [name for name in CODE_FILES if not (folder / name).is_file()]
    if missing:
        raise FileNotFoundError(f"cannot build {zip_path.name}: missing {', '.join(missing)} "
                                f"in {folder}; run this script from the assignment folder")
    # written beside zip_path under a temporary name, renamed only when complete
    fd, tmp = tempfile.mkstemp(prefix=f".{zip_path.name}.", suffix=".tmp", dir=zip_path.parent)
    try:
        with os.fdopen(fd, "wb") as file, zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED) as archive:
            for name in CODE_FILES:
                archive.write(folder / name, arcname=name)
        os.chmod(tmp, 0o644)
        os.replace(tmp, zip_path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return list(CODE_FILES)


def main() -> None:
    folder = Path(__file__).resolve().parent
    try:
        packed = create_zip(folder, folder / ZIP_NAME)
    except FileNotFoundError as error:
        sys.exit(f"error: {error}")
    for name in packed:
        print(f"  added {name}")
    print(f"wrote {folder / ZIP_NAME} ({len(packed)} files); hand it in with report.pdf")


if __name__ == "__main__":
    argparse.ArgumentParser(prog="python create_submission_zip.py", description=__doc__,
                            formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()
    main()
