"""Check groups' graded files task by task against the answer key.

    python workshop/check_solution.py PATH... [--csv FILE] [--tasks 2a,2d] [--jobs N]
                                              [--timeout SECONDS]

PATH is a folder holding a group's graded files (task2a.py, task2.py, ...), or a submission
zip as create_submission_zip.py makes it (the files at its top, or in one folder). Each
submission is copied to a temporary folder and checked there in a process of its own, task
by task (2a 2b 2c 2d 2e 3a 3b 3c 4b), each check with a time limit: a syntax error, a
missing file, an exception, a crash or an endless loop fails its check or task with a
one-line message, and the other tasks are still checked. The group's code runs without a
sandbox, as the user running this command: check only code you would run yourself.
Nothing is written outside the temporary folders but the CSV file.

Prints a table per submission: checks passed and failed per task and the first failure.
--csv FILE writes submission,task,checks_passed,checks_failed,first_failure, a row per
submission and task. Exit status 0 when every check of every submission passes, 1 when
any fails, 2 for a usage error. The checks need the real MNIST in the project's data/
folder (`make data`).
"""
import argparse
import concurrent.futures
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import tqdm

from answer_key import CHECKS, TASKS, all_failed
from atomic import atomic_path

RUNNER = Path(__file__).resolve().parent / "answer_key.py"
GRADED = ("mnist.py", "utils.py", "trainer.py", "task2a.py", "task2.py", "task3a.py",
          "task3.py", "task4.py")


def code_folder(root: Path) -> Path:
    """The folder below root (root itself, or one level down) holding most graded files."""
    candidates = [root, *sorted(p for p in root.iterdir() if p.is_dir())]
    return max(candidates, key=lambda folder: sum((folder / f).is_file() for f in GRADED))


def copy_submission(path: Path, workdir: Path) -> Path:
    """Copy the submission's Python files to workdir; return the folder holding them."""
    source = workdir / "unpacked"
    if path.is_dir():
        shutil.copytree(path, source, ignore=shutil.ignore_patterns(
            "data", "results", ".venv", ".git", "__pycache__", "*.png", "*.pdf", "*.zip"))
    else:
        with zipfile.ZipFile(path) as archive:
            archive.extractall(source)
    code = workdir / "code"
    code.mkdir()
    for file in code_folder(source).glob("*.py"):
        shutil.copy2(file, code / file.name)
    return code


def run_submission(code: Path, tasks: list[str], seconds: float) -> dict:
    """{task: result} for one submission's copy: its checks in a process of its own, each
    check within seconds. A process that dies (or hangs where the time limit cannot stop
    it) fails the task it was in; the tasks after it go on in a new process."""
    env = {**os.environ, "MPLBACKEND": "Agg", "MPLCONFIGDIR": str(code / ".matplotlib"),
           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
           "PYTHONDONTWRITEBYTECODE": "1"}
    results, remaining = {}, list(tasks)
    while remaining:
        out = code / f".results-{len(results)}.jsonl"
        limit = seconds * sum(len(CHECKS[task]({})) + 1 for task in remaining) + 60
        try:
            process = subprocess.run(
                [sys.executable, str(RUNNER), str(code), str(out), str(seconds), *remaining],
                cwd=code, env=env, timeout=limit, stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            last = (process.stderr.strip().splitlines() or ["no message"])[-1]
            problem = f"the checks' process ended with exit status {process.returncode}: {last}"
        except subprocess.TimeoutExpired:
            problem = f"the checks' process was stopped after {limit:g} s"
        done = [json.loads(line) for line in out.read_text().splitlines()] if out.exists() else []
        for result in done:
            results[result.pop("task")] = result
        remaining = remaining[len(done):]
        if remaining:
            task = remaining.pop(0)
            results[task] = all_failed(task, problem)
    return results


def check_all(paths: list[str], tasks: list[str], jobs: int, seconds: float) -> dict:
    """{(path, task): result} for every submission and task, jobs submissions at a time."""
    results = {}
    with tempfile.TemporaryDirectory(prefix="check-solution-") as tmp, \
            concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        futures = {}
        for index, path in enumerate(paths):
            workdir = Path(tmp) / str(index)
            workdir.mkdir()
            try:
                code = copy_submission(Path(path), workdir)
            except (OSError, zipfile.BadZipFile) as error:
                for task in tasks:
                    results[path, task] = all_failed(task, f"cannot be read: {error}")
                continue
            futures[pool.submit(run_submission, code, tasks, seconds)] = path
        for future in tqdm.tqdm(concurrent.futures.as_completed(futures), total=len(futures),
                                desc="Submissions checked", unit="submission", disable=None):
            for task, result in future.result().items():
                results[futures[future], task] = result
    return results


def print_table(paths: list[str], tasks: list[str], results: dict) -> None:
    for path in paths:
        print(f"\n{path}")
        print(f"  {'task':<5} {'passed':>6} {'failed':>6}  first failure")
        for task in tasks:
            r = results[path, task]
            print(f"  {task:<5} {r['passed']:>6} {r['failed']:>6}  {r['first_failure']}")


def write_csv(file: Path, paths: list[str], tasks: list[str], results: dict) -> None:
    with atomic_path(file) as tmp, open(tmp, "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["submission", "task", "checks_passed", "checks_failed",
                         "first_failure"])
        for path in paths:
            for task in tasks:
                r = results[path, task]
                writer.writerow([path, task, r["passed"], r["failed"], r["first_failure"]])


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python workshop/check_solution.py", description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 2)[2], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="+", metavar="PATH",
                        help="a folder with a group's graded files, or a submission zip")
    parser.add_argument("--csv", type=Path, metavar="FILE", help="write the results as CSV")
    parser.add_argument("--tasks", default=",".join(TASKS),
                        help=f"the tasks to check, comma-separated "
                             f"(default: all, {','.join(TASKS)})")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="submissions checked at once (default: the number of CPUs)")
    parser.add_argument("--timeout", type=float, default=60,
                        help="seconds a check may take (default: 60)")
    args = parser.parse_args(argv)
    args.tasks = [task.strip() for task in args.tasks.split(",") if task.strip()]
    unknown = [task for task in args.tasks if task not in TASKS]
    if unknown or not args.tasks:
        parser.error(f"unknown task(s) {', '.join(unknown) or '(none given)'}; "
                     f"the tasks are {', '.join(TASKS)}")
    for path in args.paths:
        if not (Path(path).is_dir() or zipfile.is_zipfile(path)):
            parser.error(f"{path} is neither a folder nor a zip file")
    if args.jobs < 1 or args.timeout <= 0:
        parser.error("--jobs and --timeout must be positive")
    return args


def main(argv: list[str]) -> int:
    args = parse(argv)
    start = time.perf_counter()
    results = check_all(args.paths, args.tasks, args.jobs, args.timeout)
    print_table(args.paths, args.tasks, results)
    if args.csv:
        write_csv(args.csv, args.paths, args.tasks, results)
    failing = [key for key, r in results.items() if r["failed"]]
    print(f"\n{len(args.paths)} submission(s), {len(results)} task(s) checked in "
          f"{time.perf_counter() - start:.0f} s: {len(results) - len(failing)} passed every "
          f"check, {len(failing)} failed at least one" +
          (f"; CSV in {args.csv}" if args.csv else ""))
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
