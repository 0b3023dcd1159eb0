"""Keep mutation verdicts between runs and score the core from them (`make mutation-score`).

A full `make mutation` takes longer than one sitting on two cores: the mutants of functions that hundreds of
tests reach cost minutes each. So verdicts are kept in ``tests/mutation_verdicts.txt`` (one line per mutant:
name, verdict, the hash mutmut gives the mutated function), and each run adds to them:

    python tests/mutation_score.py [RECHECK_OUTPUT.jsonl ...]

reads mutmut's results in ``mutants/`` (after `mutmut run`, or after it only generated the mutants) and any
output of ``tests/mutation_recheck.py``, merges them into the kept verdicts, writes the mutants that still have
none to ``mutants/todo.txt`` (to give to `mutmut run` or the recheck plugin), and prints the score by module.

A verdict stays valid while the mutated function is unchanged (same hash); tests are only ever added, so a
mutant once killed stays killed, and one that survived may be killed by a later test (a newer verdict wins).
A mutant the recheck plugin stopped asking about at its time budget gets no verdict: it stays to be checked.
mutmut's timeouts count as killed, as mutmut counts them; a mutant no test reaches counts as surviving.
"""
import glob
import json
import os
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
STORE = os.path.join(HERE, "mutation_verdicts.txt")
MUTANTS = os.path.join(HERE, "..", "mutants")


def current_mutants() -> dict[str, str]:
    """Return every mutant mutmut generated, with the hash of the function it mutates."""
    found = {}
    for meta_path in glob.glob(os.path.join(MUTANTS, "shop", "**", "*.py.meta"), recursive=True):
        with open(meta_path) as meta_file:
            meta = json.load(meta_file)
        hashes = meta["hash_by_function_name"]
        for name in meta["exit_code_by_key"]:
            found[name] = hashes.get(name.rsplit(".", 1)[-1].split("__mutmut_")[0], "")
    return found


def mutmut_verdicts() -> dict[str, str]:
    verdicts = {}
    for meta_path in glob.glob(os.path.join(MUTANTS, "shop", "**", "*.py.meta"), recursive=True):
        with open(meta_path) as meta_file:
            for name, code in json.load(meta_file)["exit_code_by_key"].items():
                if code is not None:  # 0: survived; 33: no test reaches it; any other code (a failure, a timeout)
                    verdicts[name] = "survived" if code in (0, 33) else "killed"
    return verdicts


def recheck_verdicts(paths: list[str]) -> dict[str, str]:
    verdicts = {}
    for path in paths:
        with open(path) as output:
            for line in output:
                row = json.loads(line) if line.strip() else {}
                if row.get("k"):
                    verdicts[row["m"]] = "killed"
                elif row and not row.get("budget") and verdicts.get(row["m"]) != "killed":
                    verdicts[row["m"]] = "survived"  # unless a kill was seen (a budget stop gives no verdict)
    return verdicts


def kept_verdicts() -> dict[str, tuple[str, str]]:
    if not os.path.exists(STORE):
        return {}
    with open(STORE) as store:
        return {name: (verdict, digest) for name, verdict, digest in (line.split() for line in store if line.strip())}


def merge(mutants: dict[str, str], kept: dict[str, tuple[str, str]], *newer: dict[str, str]) -> dict[str, str]:
    """Return each current mutant's verdict: a kept one whose function is unchanged, then newer ones over it."""
    verdicts = {name: verdict for name, (verdict, digest) in kept.items() if mutants.get(name) == digest}
    for source in newer:
        for name, verdict in source.items():
            if name in mutants and (verdict == "killed" or verdicts.get(name) != "killed"):
                verdicts[name] = verdict
    return verdicts


def main(paths: list[str]) -> None:
    mutants = current_mutants()
    if not mutants:
        sys.exit("No mutants/ here: run `mutmut run` (or let it generate the mutants) first.")
    verdicts = merge(mutants, kept_verdicts(), mutmut_verdicts(), recheck_verdicts(paths))
    with open(STORE, "w") as store:
        store.writelines(f"{name} {verdicts[name]} {mutants[name]}\n" for name in sorted(verdicts))
    todo = sorted(set(mutants) - set(verdicts))
    with open(os.path.join(MUTANTS, "todo.txt"), "w") as todo_file:
        todo_file.writelines(f"{name}\n" for name in todo)
    total, killed, left = Counter(), Counter(), Counter()
    for name in mutants:
        module = name.split(".x", 1)[0]
        total[module] += 1
        killed[module] += verdicts.get(name) == "killed"
        left[module] += name not in verdicts
    print(f"{'module':32} {'mutants':>8} {'checked':>8} {'killed':>7} {'score':>6}")
    for module in sorted(total):
        checked = total[module] - left[module]
        print(f"{module:32} {total[module]:8} {checked:8} {killed[module]:7} "
              f"{100 * killed[module] / max(checked, 1):5.1f}%")
    checked = len(mutants) - len(todo)
    print(f"{'core':32} {len(mutants):8} {checked:8} {sum(killed.values()):7} "
          f"{100 * sum(killed.values()) / max(checked, 1):5.1f}%   ({len(todo)} without a verdict: mutants/todo.txt)")


if __name__ == "__main__":
    main(sys.argv[1:])
