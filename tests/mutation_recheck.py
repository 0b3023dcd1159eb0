"""Re-check mutants against chosen tests in one process, far faster than one pytest per mutant.

After a `make mutation` run, this asks again of the mutants named in a file (one name per line, e.g. the
survivors) whether the given tests kill them, using mutmut's own switch (``MUTANT_UNDER_TEST``): each test is
run once unmutated to learn which mutated functions it reaches, then, for each mutant, the tests that reach its
function run fastest first until one fails. One JSON line per mutant goes to $MUTOUT: the mutant, the test
that killed it (or null) and the seconds it took; ``tests/mutation_score.py ../recheck.jsonl`` keeps them.
Run it inside ``mutants/`` after copying the tests there:

    rsync -a tests/ mutants/tests/ && cd mutants && MUTLIST=todo.txt MUTOUT=../recheck.jsonl MUTBUDGET=20 \
        PYTHONPATH=../tests ../.venv/bin/python -m pytest -q -p no:cacheprovider -p mutation_recheck FILES...

A kill found here is a kill under mutmut too (the same test fails with the same mutant); a mutant not killed
here may still be killed by a test left out of FILES.

Tests that killed earlier mutants of the same function, then of the same module, run first, then the tests about
the mutated module (``MUTATED_MODULE_TOPICS``, as under mutmut), then the rest, fastest first.
``MUTBUDGET`` (seconds) stops asking about one mutant once its tests took that long: it is then written as not
killed with ``"budget": true``, so a score from such a run can only be lower than the true one. ``MUTHITS``
names a file that keeps the unmutated pass (what each test reaches, how long it takes) for the next run.
"""
import json
import os
import time

import mutmut.mutation.trampoline as tr
import pytest
from _pytest.runner import runtestprotocol

_hits: set = set()
_rec = [False]


def _record(name, caller=None):
    if _rec[0]:
        _hits.add(name)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    _rec[0] = True
    yield
    _rec[0] = False


def _run(item, show=False):
    item.session._setupstate.teardown_exact(item)
    reports = runtestprotocol(item, nextitem=item.parent, log=False)
    item._initrequest()
    if show:
        for r in reports:
            if r.failed:
                print(str(r.longrepr)[-1500:])
    return any(r.failed for r in reports)


def _reaches(function: str, hits: set[str]) -> bool:
    return any(function == hit or function == "x_" + hit or hit.endswith(function[2:]) for hit in hits)


def pytest_runtestloop(session):
    with open(os.environ["MUTLIST"]) as listed:
        mutants = [line.strip() for line in listed if line.strip()]
    tr.record_trampoline_hit = _record
    hits, seconds = _unmutated_pass(session)
    budget = float(os.environ.get("MUTBUDGET") or "inf")
    killers: dict[str, list] = {}  # per mutated function, then per module: the tests that killed its mutants
    with open(os.environ["MUTOUT"], "w") as out:
        for mutant in mutants:
            function = mutant.rsplit(".", 1)[-1].split("__mutmut_")[0]  # e.g. x_stock_matches_ledger
            module = mutant.split(".x", 1)[0]
            os.environ["MUTANT_UNDER_TEST"] = mutant
            killer, over, started = None, False, time.time()
            tried = killers.get(function, []) + killers.get(module, [])
            for item in dict.fromkeys(tried + _in_order(session.items, mutant, seconds)):
                if time.time() - started > budget:
                    over = True
                    break
                if _reaches(function, hits.get(item.nodeid, ())) and _run(item):
                    killer = item.nodeid.split("::")[-1]
                    for key in (function, module):  # the likeliest killers of the next mutants
                        killers[key] = [item] + [other for other in killers.get(key, []) if other is not item][:20]
                    break
            verdict = {"m": mutant, "k": killer, "t": round(time.time() - started, 2)}
            out.write(json.dumps({**verdict, "budget": True} if over else verdict) + "\n")
            out.flush()
    os.environ.pop("MUTANT_UNDER_TEST", None)
    return True


def _unmutated_pass(session) -> tuple[dict[str, set[str]], dict[str, float]]:
    """Run each test once, unmutated: return what it reaches and how long it takes (kept in $MUTHITS)."""
    kept = os.environ.get("MUTHITS")
    if kept and os.path.exists(kept):
        with open(kept) as saved:
            data = json.load(saved)
        return {test: set(reached) for test, reached in data["hits"].items()}, data["seconds"]
    os.environ["MUTANT_UNDER_TEST"] = "stats"
    hits, seconds = {}, {}
    for item in session.items:
        _hits.clear()
        started = time.time()
        if _run(item, show=True):
            print("FAILS WITHOUT A MUTANT:", item.nodeid)
        hits[item.nodeid] = {hit.rsplit(".", 1)[-1] for hit in _hits}
        seconds[item.nodeid] = time.time() - started
    if kept:
        with open(kept, "w") as saved:
            json.dump({"hits": {test: sorted(reached) for test, reached in hits.items()}, "seconds": seconds}, saved)
    return hits, seconds


def _in_order(items, mutant: str, seconds: dict[str, float]) -> list:
    """Return the tests about the mutated module first (as under mutmut), each group fastest first."""
    from tests.conftest import MUTATED_MODULE_TOPICS

    parts = mutant.split(".x", 1)[0].split(".")
    topics = MUTATED_MODULE_TOPICS.get(parts[-2] if parts[-1] == "services" else parts[-1], ())
    return sorted(items, key=lambda item: (not any(topic in item.nodeid.split("::")[0] for topic in topics),
                                           seconds.get(item.nodeid, 0.0)))
