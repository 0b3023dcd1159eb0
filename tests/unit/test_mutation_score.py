"""Mutation verdicts kept between runs: valid while the mutated function is unchanged, a kill never undone."""
import json

from tests.mutation_score import merge, recheck_verdicts

MUTANTS = {"shop.money.x_tenge__mutmut_1": "aaa", "shop.money.x_tenge__mutmut_2": "aaa",
           "shop.money.x_parse_tenge__mutmut_1": "new"}


def test_a_kept_verdict_counts_only_while_its_function_is_unchanged():
    kept = {"shop.money.x_tenge__mutmut_1": ("killed", "aaa"), "shop.money.x_parse_tenge__mutmut_1": ("killed", "old"),
            "shop.money.x_gone__mutmut_1": ("killed", "zzz")}
    assert merge(MUTANTS, kept) == {"shop.money.x_tenge__mutmut_1": "killed"}


def test_a_newer_kill_wins_over_a_kept_survival_but_a_newer_survival_never_undoes_a_kill():
    kept = {"shop.money.x_tenge__mutmut_1": ("survived", "aaa"), "shop.money.x_tenge__mutmut_2": ("killed", "aaa")}
    newer = {"shop.money.x_tenge__mutmut_1": "killed", "shop.money.x_tenge__mutmut_2": "survived",
             "shop.money.x_parse_tenge__mutmut_1": "survived", "shop.other.x_f__mutmut_1": "killed"}
    assert merge(MUTANTS, kept, newer) == {"shop.money.x_tenge__mutmut_1": "killed",
                                           "shop.money.x_tenge__mutmut_2": "killed",
                                           "shop.money.x_parse_tenge__mutmut_1": "survived"}


def test_a_kill_in_any_output_file_wins_over_a_survival_in_a_later_one(tmp_path):
    first, later = tmp_path / "manual.jsonl", tmp_path / "run.jsonl"
    first.write_text(json.dumps({"m": "shop.money.x_tenge__mutmut_1", "k": "test_x", "t": 1}) + "\n")
    later.write_text("\n".join(json.dumps(row) for row in (
        {"m": "shop.money.x_tenge__mutmut_1", "k": None, "t": 9},
        {"m": "shop.money.x_tenge__mutmut_2", "k": None, "t": 9},
        {"m": "shop.money.x_parse_tenge__mutmut_1", "k": None, "t": 20, "budget": True})) + "\n")
    assert recheck_verdicts([str(first), str(later)]) == {"shop.money.x_tenge__mutmut_1": "killed",
                                                          "shop.money.x_tenge__mutmut_2": "survived"}
