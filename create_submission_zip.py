import pathlib
import zipfile

# If you create other code files, add them to this list to include them in the zip file.
files_to_include = [
    "mnist.py", "utils.py", "trainer.py",
    "task2a.py", "task2.py", "task3a.py", "task3.py", "task4.py",
]
folder = pathlib.Path(__file__).resolve().parent
zipfile_path = folder / "assignment_code.zip"

missing = [name for name in files_to_include if not (folder / name).is_file()]
assert not missing, f"Did not find {', '.join(missing)} in {folder}"
with zipfile.ZipFile(zipfile_path, "w", zipfile.ZIP_DEFLATED) as archive:
    for name in files_to_include:
        archive.write(folder / name, arcname=name)
print("Files added to zip:")
print("\t" + "\n\t".join(files_to_include))
print(f"Zip file saved to: {zipfile_path}")
print("Please upload your report PDF to Blackboard beside the zip file, not inside it.")
