"""Ask about mutants one at a time against chosen test files: for those the recheck plugin stopped at its budget.

The recheck plugin (`tests/mutation_recheck.py`) runs only the tests of its selection, fastest first; a mutant
whose killer is a slow test, or one outside the selection (a view test of kits for several learners, say), is
stopped at the budget with no verdict. This runs each named mutant under mutmut's own switch in a fresh
``pytest -x`` over the given files, inside ``mutants/``, and appends one JSON line per mutant (the recheck's
format) to ``NAMES.jsonl``, for ``tests/mutation_score.py NAMES.jsonl`` to keep:

    .venv/bin/python tests/mutation_try.py names.txt tests/views/test_kit_for_two.py tests/services/test_x.py

A failing test is a kill; every test passing is a survival (against those files only, so a survival here is
a question to look into, not an equivalent mutant); pytest ending otherwise gives no verdict.
"""
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(names_file: str, test_files: list[str]) -> None:
    names = [line.split()[0] for line in Path(names_file).read_text().splitlines() if line.strip()]
    with open(f"{names_file}.jsonl", "a") as out:
        for mutant in names:
            started = time.time()
            run = subprocess.run(
                [str(ROOT / ".venv/bin/python"), "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *test_files],
                cwd=ROOT / "mutants", env={**os.environ, "MUTANT_UNDER_TEST": mutant}, capture_output=True,
                text=True)
            failed = re.findall(r"^FAILED (\S+)", run.stdout, re.M)
            killer = (failed[0].split("::")[-1] if failed else "?") if run.returncode == 1 else None
            verdict = {"m": mutant, "k": killer, "t": round(time.time() - started, 1)}
            if run.returncode not in (0, 1):
                verdict["budget"] = True  # pytest could not answer: no verdict
            out.write(json.dumps(verdict) + "\n")
            out.flush()
            print(json.dumps(verdict), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
