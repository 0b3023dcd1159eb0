"""Re-check mutants against chosen tests in one process, far faster than one pytest per mutant.

After a `make mutation` run, this asks again of the mutants named in a file (one name per line, e.g. the
survivors) whether the given tests kill them, using mutmut's own switch (``MUTANT_UNDER_TEST``): each test is
run once unmutated to learn which mutated functions it reaches, then, for each mutant, the tests that reach its
function run fastest first until one fails. One JSON line per mutant goes to $MUTOUT: the mutant, the test
that killed it (or null) and the seconds it took. Run it inside ``mutants/`` after copying the tests there:

    rsync -a tests/ mutants/tests/ && cd mutants && MUTLIST=../survivors.txt MUTOUT=../recheck.jsonl \
        PYTHONPATH=../tests ../.venv/bin/python -m pytest -q -p no:cacheprovider -p mutation_recheck FILES...

A kill found here is a kill under mutmut too (the same test fails with the same mutant); a mutant not killed
here may still be killed by a test left out of FILES.
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
    os.environ["MUTANT_UNDER_TEST"] = "stats"
    hits, seconds = {}, {}
    for item in session.items:  # each test once, unmutated: what it reaches and how long it takes
        _hits.clear()
        started = time.time()
        if _run(item, show=True):
            print("FAILS WITHOUT A MUTANT:", item.nodeid)
        hits[item.nodeid] = {hit.rsplit(".", 1)[-1] for hit in _hits}
        seconds[item.nodeid] = time.time() - started
    fastest_first = sorted(session.items, key=lambda item: seconds[item.nodeid])
    with open(os.environ["MUTOUT"], "w") as out:
        for mutant in mutants:
            function = mutant.rsplit(".", 1)[-1].split("__mutmut_")[0]  # e.g. x_stock_matches_ledger
            os.environ["MUTANT_UNDER_TEST"] = mutant
            killer, started = None, time.time()
            for item in fastest_first:
                if _reaches(function, hits[item.nodeid]) and _run(item):
                    killer = item.nodeid.split("::")[-1]
                    break
            out.write(json.dumps({"m": mutant, "k": killer, "t": round(time.time() - started, 2)}) + "\n")
            out.flush()
    os.environ.pop("MUTANT_UNDER_TEST", None)
    return True
