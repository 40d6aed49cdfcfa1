"""Pack the assignment's code files into assignment_code.zip for delivery.

Run from the folder with the Python files: `python create_submission_zip.py`. It refuses to
write a zip when a file is missing and lists every file it packed. The report goes to the
course page separately, as report.pdf.
"""
import sys
import zipfile
from pathlib import Path

from mnist import atomic_path

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
    with atomic_path(zip_path) as tmp:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name in CODE_FILES:
                archive.write(folder / name, arcname=name)
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
    main()
