"""Probabilistic matching of profile records (Fellegi-Sunter, run by Splink as SQL on DuckDB).

`match_profile_records` takes the prepared profile records (model `int_profile_records_prepared`) and returns
the scored pairs at or above the match-weight threshold, each with its weight, probability and the fields that
drove it (`matched_fields`, e.g. ``email=exact(+11.2), first_name=nickname(+4.1)``), so that anyone can be told
why two records were joined.

The model: one comparison per field, each a list of levels from most to least similar. Every level carries a
prior m and u probability (used as is on small data, and as the starting point of training); with at least
`min_records_to_train` records, u is estimated from random pairs and the prior match rate from deterministic
rules (m by expectation maximisation only with `MatchConfig.train_m`). Every candidate pair is scored; only the
pairs at or above the threshold are written. Thresholds are configuration (dbt vars, see docs/identity.md).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

COLUMNS = (
    "record_id", "source", "first_name_std", "first_name_forms", "first_name_key", "last_name_std", "email_std",
    "email_local", "phone_std", "postcode_std", "street_std", "city_std", "birth_date",
)
# derived from COLUMNS once a record (int_profile_records_prepared; with_derived_columns where they are missing)
DERIVED = ("first_name_forms_text", "email_letters")
# what the comparisons and blocking rules read: the rest is left out of the joins
MATCH_COLUMNS = tuple(c for c in COLUMNS if c not in ("first_name_forms", "city_std")) + DERIVED


@dataclass(frozen=True)
class MatchConfig:
    """What decides a probabilistic link (dbt vars cdp__identity_*)."""

    match_weight_threshold: float = 7.0
    min_records_to_train: int = 2000
    max_pairs_for_u: float = 2e6
    seed: int = 42
    em_sample_proportion: float = 1.0
    # m (how often true matches agree) is domain knowledge that transfers between data sets; EM on data full of
    # households (same surname, street, phone) confuses them with matches, so it is off unless asked for
    train_m: bool = False


def _level(label: str, sql: str | None, m: float, u: float, null: bool = False,
           tf: str | None = None, fix_u: bool = False) -> dict[str, Any]:
    if null:
        return {"sql_condition": sql, "label_for_charts": label, "is_null_level": True}
    level = {"sql_condition": sql, "label_for_charts": label, "m_probability": m, "u_probability": u}
    if fix_u:  # agreement that namesakes and households share: u is their rate, not that of random pairs
        level["fix_u_probability"] = True
    if tf:  # exact agreement on a rare value weighs more than on a common one (Smith)
        level |= {"tf_adjustment_column": tf, "tf_adjustment_weight": 1.0}
    return level


def _null(column: str) -> dict[str, Any]:
    return _level("null", f'"{column}_l" is null or "{column}_r" is null', 0, 0, null=True)


def _one_edit(left: str, right: str, also: str | None = None) -> str:
    """SQL: at most one insertion, deletion, substitution or swap of neighbours between two strings (and `also`).

    Damerau-Levenshtein is slow in DuckDB, and candidate pairs rarely differ by one edit. Strings of one length
    differ by one substitution when they differ in one position (Hamming distance, `mismatches`, cheap) and by
    a swap of neighbours only if they differ in two; strings one letter apart in length differ by one insertion
    only if the first or the last half is untouched (cheap), then Levenshtein decides. `case` evaluates each
    step only on the pairs the previous one left open: the same answer as Damerau-Levenshtein <= 1, about 20
    times faster on candidate pairs."""
    a, b = left, right
    half = f"((least(length({a}), length({b})) - 1) // 2)"
    one_edit = (
        f"case when length({a}) = 0 and length({b}) = 0 then true "
        f"when length({a}) = length({b}) then (case when mismatches({a}, {b}) <= 1 then true "
        f"when mismatches({a}, {b}) = 2 then damerau_levenshtein({a}, {b}) <= 1 else false end) "
        f"when abs(length({a}) - length({b})) = 1 and (left({a}, {half}) = left({b}, {half}) "
        f"or right({a}, {half}) = right({b}, {half})) then levenshtein({a}, {b}) <= 1 else false end"
    )
    if also:
        return f"(case when {one_edit} then {also} else false end)"
    return f"({one_edit})"


# Whether two first names share a form (bill, william; bill, will), for names that are not equal (tested before
# it). Only a nickname has more than one form: two names without one ("|" in the text) share none, found without
# splitting the texts into lists (most pairs)
_SHARE_A_FORM = (
    '((contains("first_name_forms_text_l", \'|\') or contains("first_name_forms_text_r", \'|\')) and '
    'list_has_any(string_split("first_name_forms_text_l", \'|\'), string_split("first_name_forms_text_r", \'|\')))'
)

# Whether two records' first names can be one person's (unknown, equal, a nickname, close, an initial of the
# other, or first and last name swapped). A shared email or phone identifies a person only with it: households share a landline and a family
# mailbox, and the surname and address they also share would otherwise count as independent evidence.
_FIRST_NAMES_AGREE = (
    '("first_name_std_l" is null or "first_name_std_r" is null or "first_name_std_l" = "first_name_std_r" '
    'or ((length("first_name_std_l") = 1 or length("first_name_std_r") = 1) '
    'and left("first_name_std_l", 1) = left("first_name_std_r", 1)) '
    'or ("first_name_std_l" = "last_name_std_r" and "last_name_std_l" = "first_name_std_r") '
    'or jaro_winkler_similarity("first_name_std_l", "first_name_std_r") >= 0.88 '
    'or ' + _SHARE_A_FORM + ')'
)


# One slip of the keyboard in a first name (jeffrey / jefvrey, matthew / mattew), but not at its end: names one
# final letter apart are a man's and a woman's, a couple's or siblings' (paul / paula, louis / louise, maria /
# mario), not a slip. The end is looked at only for the pairs one edit apart (few)
_FIRST_NAME_TYPO = (
    '(length("first_name_std_l") >= 3 and '
    + _one_edit('"first_name_std_l"', '"first_name_std_r"', also=(
        'left("first_name_std_l", length("first_name_std_l") - 1) '
        '<> left("first_name_std_r", length("first_name_std_r") - 1) '
        'and "first_name_std_l" <> left("first_name_std_r", length("first_name_std_r") - 1) '
        'and "first_name_std_r" <> left("first_name_std_l", length("first_name_std_l") - 1)'))
    + ')'
)

# Whether two records' first names are one person's: equal, a nickname, one typo apart, or swapped with the
# last name; not unknown, not an initial (james and jane at one address are a household), not merely close
# (christine and christopher: siblings)
_FIRST_NAMES_MATCH = (  # the cheap tests first: `or` tests the next only on the pairs still false
    '("first_name_std_l" = "first_name_std_r" '
    'or ("first_name_std_l" = "last_name_std_r" and "last_name_std_l" = "first_name_std_r") '
    'or ' + _FIRST_NAME_TYPO + ' '
    'or ' + _SHARE_A_FORM + ')'
)

# {(comparison, level): the levels whose u estimated on random pairs, summed, is its u}
_ADDRESS_U_FROM = {
    ("address", "similar_street"): ("similar_street", "similar_street_household"),
}


def comparisons() -> list[dict[str, Any]]:
    """The fields compared, their levels (most similar first) and prior m/u probabilities."""
    jw = "jaro_winkler_similarity"
    return [
        {"output_column_name": "first_name", "comparison_levels": [
            _null("first_name_std"),
            _level("exact", '"first_name_std_l" = "first_name_std_r"', 0.80, 0.010, tf="first_name_std"),
            # first and last name swapped (a form filled in the wrong order): the last-name comparison reads
            # "different" for such a pair, so this level carries the weight of both names agreeing crosswise
            _level("swapped_with_last_name", '"first_name_std_l" = "last_name_std_r" and '
                                             '"last_name_std_l" = "first_name_std_r"', 0.02, 1e-6, fix_u=True),
            # a form in common (bill, william; bill, will): the forms travel as text, cheaper through the joins
            # of blocking and prediction than a list, and are split only for the pairs that reach this level
            _level("nickname", _SHARE_A_FORM, 0.10, 0.002),
            # a short form the nickname list lacks: one name begins with the other (nat / natalie, mel / melanie)
            # (two letters at least: paul / paula is another name)
            _level("short_form", 'least(length("first_name_std_l"), length("first_name_std_r")) >= 3 and '
                                 'abs(length("first_name_std_l") - length("first_name_std_r")) >= 2 and '
                                 '(starts_with("first_name_std_l", "first_name_std_r") '
                                 'or starts_with("first_name_std_r", "first_name_std_l"))', 0.03, 0.001),
            # one slip of the keyboard, not at the end of the name: u is that of random pairs
            _level("one_typo", _FIRST_NAME_TYPO, 0.08, 0.002),
            # christine / christopher, stephen / steven: two slips, or a brother or sister; u is fixed at that rate
            _level("similar", f'{jw}("first_name_std_l", "first_name_std_r") >= 0.88', 0.04, 0.010, fix_u=True),
            # J. against james: the initial written for the name
            _level("initial", '(length("first_name_std_l") = 1 or length("first_name_std_r") = 1) and '
                              'left("first_name_std_l", 1) = left("first_name_std_r", 1)', 0.03, 0.002),
            _level("same_first_letter", 'left("first_name_std_l", 1) = left("first_name_std_r", 1)', 0.02, 0.06),
            _level("different", "else", 0.02, 0.918),
        ]},
        {"output_column_name": "last_name", "comparison_levels": [
            _null("last_name_std"),
            _level("exact", '"last_name_std_l" = "last_name_std_r"', 0.88, 0.004, tf="last_name_std"),
            _level("similar", f'{jw}("last_name_std_l", "last_name_std_r") >= 0.90', 0.10, 0.003),
            _level("related", f'{jw}("last_name_std_l", "last_name_std_r") >= 0.80', 0.02, 0.02),
            _level("different", "else", 0.02, 0.973),
        ]},
        {"output_column_name": "birth_date", "comparison_levels": [
            _null("birth_date"),
            _level("exact", '"birth_date_l" = "birth_date_r"', 0.95, 0.0001),
            _level("one_typo", _one_edit('cast("birth_date_l" as varchar)', 'cast("birth_date_r" as varchar)'),
                   0.03, 0.002),
            # day and month swapped (04/03 typed as 03/04: US and European forms)
            _level("day_month_swapped", 'year("birth_date_l") = year("birth_date_r") and '
                                        'month("birth_date_l") = day("birth_date_r") and '
                                        'day("birth_date_l") = month("birth_date_r")', 0.01, 0.0002),
            _level("different", "else", 0.01, 0.9979),
        ]},
        {"output_column_name": "email", "comparison_levels": [
            _null("email_std"),
            _level("exact", f'"email_std_l" = "email_std_r" and {_FIRST_NAMES_AGREE}', 0.74, 0.00002),
            # one mailbox, two first names: a family's shared address (thesmiths@), not one person
            _level("exact_shared", '"email_std_l" = "email_std_r"', 0.02, 0.0005, fix_u=True),
            # the same mailbox name at a misspelt provider (gmial.com, yaho.com): a slip, not a namesake
            _level("domain_typo", '"email_local_l" = "email_local_r" and damerau_levenshtein('
                                  'split_part("email_std_l", \'@\', 2), split_part("email_std_r", \'@\', 2)) <= 1',
                   0.04, 0.00002),
            # one slip of the keyboard in a letter: jsmith@ and jsmith2@, aaron3158@ and aaron33158@ (numbers)
            # or john.hall@ and johnhall@ (separators) are other mailboxes, often of a namesake. The letters are
            # compared first (a column computed once a record): namesakes' addresses (john.smith12@ and
            # john.smith13@) fail there, before any edit distance is computed
            _level("one_typo", '"email_letters_l" <> "email_letters_r" and '
                               + _one_edit('"email_std_l"', '"email_std_r"'), 0.06, 0.0005, fix_u=True),
            _level("different", "else", 0.14, 0.99993),
        ]},
        {"output_column_name": "phone", "comparison_levels": [
            _null("phone_std"),
            _level("exact", f'"phone_std_l" = "phone_std_r" and {_FIRST_NAMES_AGREE}', 0.83, 0.00002),
            # one number, two first names: a household's landline, not one person
            _level("exact_shared", '"phone_std_l" = "phone_std_r"', 0.02, 0.0005, fix_u=True),
            # one digit off: a slip, when the first names can be one person's (else a household's landline)
            _level("one_typo", _one_edit('"phone_std_l"', '"phone_std_r"', also=_FIRST_NAMES_MATCH), 0.04, 0.0001),
            _level("different", "else", 0.11, 0.99988),
        ]},
        # street and postcode in one comparison: they agree together (a household), so two fields would count
        # the same evidence twice. A shared address means one thing with first names that match (one person)
        # and another with two first names (a household: the name comparisons cannot tell them apart, since
        # both share the surname): each agreement is split by the first names. The household levels keep the
        # households' rates as u. The one-person levels have a u of their own, not the joint rate of address
        # and first names among random pairs (the first names are counted by their own comparison): fixed for
        # the street and the postcode (the same name at one address is now and then a father and son), the rate
        # of the address alone among random pairs for a similar street (`_ADDRESS_U_FROM`)
        {"output_column_name": "address", "comparison_levels": [
            _level("null", '("street_std_l" is null or "street_std_r" is null) and '
                           '("postcode_std_l" is null or "postcode_std_r" is null)', 0, 0, null=True),
            _level("same_street", f'"street_std_l" = "street_std_r" and "postcode_std_l" = "postcode_std_r" '
                                  f'and {_FIRST_NAMES_MATCH}', 0.74, 0.0015, fix_u=True),
            _level("same_street_household", '"street_std_l" = "street_std_r" and '
                                            '"postcode_std_l" = "postcode_std_r"', 0.11, 0.005, fix_u=True),
            # (the postcode compared first: `and` computes the Jaro-Winkler only for the pairs that share one)
            _level("similar_street", '"postcode_std_l" = "postcode_std_r" and '
                                     f'{jw}("street_std_l", "street_std_r") >= 0.90 and {_FIRST_NAMES_MATCH}',
                   0.045, 0.0003, fix_u=True),
            _level("similar_street_household", '"postcode_std_l" = "postcode_std_r" and '
                                               f'{jw}("street_std_l", "street_std_r") >= 0.90', 0.007, 0.0005,
                   fix_u=True),
            # one side has no street (loyalty members give only a postcode): the postcode agrees as often as a
            # whole address does for a true match, so it is not the weak "same postcode, other street" level;
            # u is fixed at the rate of relatives and namesakes living in one postcode, not that of random pairs
            _level("postcode_street_unknown", '"postcode_std_l" = "postcode_std_r" and '
                                              '("street_std_l" is null or "street_std_r" is null) and '
                                              + _FIRST_NAMES_MATCH, 0.72, 0.0015, fix_u=True),
            _level("postcode_street_unknown_household", '"postcode_std_l" = "postcode_std_r" and '
                                                        '("street_std_l" is null or "street_std_r" is null)',
                   0.13, 0.006, fix_u=True),
            _level("same_postcode", '"postcode_std_l" = "postcode_std_r"', 0.05, 0.002),
            _level("same_district", 'left("postcode_std_l", 3) = left("postcode_std_r", 3)', 0.02, 0.01),
            _level("different", "else", 0.03, 0.9872),
        ]},
    ]


# Candidate pairs: records agreeing on any of these (Splink blocking rules, SQL).
BLOCKING_RULES = (
    'l."email_std" = r."email_std"',
    'l."email_local" = r."email_local" and length(l."email_local") >= 4',
    'l."phone_std" = r."phone_std"',
    'l."first_name_key" = r."first_name_key" and l."last_name_std" = r."last_name_std"',
    'l."last_name_std" = r."last_name_std" and l."birth_date" = r."birth_date"',
    'l."last_name_std" = r."last_name_std" and l."postcode_std" = r."postcode_std"',
    'l."first_name_key" = r."first_name_key" and l."birth_date" = r."birth_date"',
    'l."first_name_key" = r."first_name_key" and l."postcode_std" = r."postcode_std"',
    'l."birth_date" = r."birth_date" and l."postcode_std" = r."postcode_std"',
    'l."first_name_std" = r."last_name_std" and l."last_name_std" = r."first_name_std"',
    'l."birth_date" = r."birth_date" and left(l."first_name_std", 1) = left(r."first_name_std", 1)',
)

# Passes of expectation maximisation: each blocks on fields it cannot then estimate.
TRAINING_BLOCKS = (
    'l."first_name_key" = r."first_name_key" and l."last_name_std" = r."last_name_std"',
    'l."email_std" = r."email_std"',
)


def _without_tf(comparison: dict[str, Any]) -> dict[str, Any]:
    levels = [{k: v for k, v in lv.items() if not k.startswith("tf_")} for lv in comparison["comparison_levels"]]
    return {**comparison, "comparison_levels": levels}


def settings(config: MatchConfig, term_frequencies: bool = True) -> dict[str, Any]:
    """Splink settings. Term-frequency adjustments only on data large enough to count name frequencies."""
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "record_id",
        "comparisons": comparisons() if term_frequencies else [_without_tf(c) for c in comparisons()],
        "blocking_rules_to_generate_predictions": [{"blocking_rule": r} for r in BLOCKING_RULES],
        "probability_two_random_records_match": 0.0001,
        "retain_matching_columns": True,
        "retain_intermediate_calculation_columns": True,
    }


def _labels() -> dict[str, list[str]]:
    """{comparison: [label of gamma 0, 1, ...]}; gamma -1 is null."""
    out = {}
    for c in comparisons():
        levels = [lv["label_for_charts"] for lv in c["comparison_levels"] if not lv.get("is_null_level")]
        out[c["output_column_name"]] = list(reversed(levels))  # splink numbers levels from the else level up
    return out


def explanation_sql(alias: str = "p") -> str:
    """SQL building `matched_fields`: the fields that moved the weight, strongest first, with their log2 BF."""
    parts = []
    for name, labels in _labels().items():
        label = "case " + " ".join(f"when {alias}.gamma_{name} = {i} then '{lab}'" for i, lab in enumerate(labels))
        label += " end"
        parts.append(
            f"case when {alias}.gamma_{name} >= 0 and abs({alias}.mw_{name}) >= 1 then "
            f"struct_pack(w := {alias}.mw_{name}, t := '{name}=' || {label} || '(' || "
            f"case when {alias}.mw_{name} >= 0 then '+' else '' end || "
            f"cast(round({alias}.mw_{name}, 1) as varchar) || ')') end"
        )
    items = "list_filter([" + ", ".join(parts) + "], lambda x: x is not null)"
    return f"array_to_string(list_transform(list_reverse_sort({items}), lambda x: x.t), ', ')"


def _train(linker: Any, config: MatchConfig) -> None:
    linker.training.estimate_probability_two_random_records_match(
        ['l."email_std" = r."email_std" and l."last_name_std" = r."last_name_std"',
         'l."phone_std" = r."phone_std" and l."last_name_std" = r."last_name_std"'],
        recall=0.7,
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=config.max_pairs_for_u, seed=config.seed)
    _u_from_marginals(linker)
    if config.train_m:
        for rule in TRAINING_BLOCKS:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, record_sample_proportion=config.em_sample_proportion)


def _u_from_marginals(linker: Any) -> None:
    """Set the u of each level of `_ADDRESS_U_FROM` to the sum of the u estimated for the levels it lists."""
    for comparison in linker._settings_obj.comparisons:
        levels = {lv.label_for_charts: lv for lv in comparison._comparison_levels_excluding_null}
        for (name, label), parts in _ADDRESS_U_FROM.items():
            if comparison.output_column_name != name:
                continue
            trained = [levels[p]._trained_u_median for p in parts]
            if any(u is not None for u in trained):  # a level no random pair reached counts 0
                levels[label].u_probability = max(sum(u or 0.0 for u in trained), 1e-7)


EMPTY = pa.schema([
    ("link_id", pa.string()), ("left_record_id", pa.string()), ("right_record_id", pa.string()),
    ("left_source", pa.string()), ("right_source", pa.string()), ("match_weight", pa.float64()),
    ("match_probability", pa.float64()), ("matched_fields", pa.string()),
])


def with_derived_columns(records: pa.Table) -> pa.Table:
    """The columns the comparisons read, derived once a record (not once a pair, in the comparisons): the forms
    of the first name as one text (cheaper through the joins than a list) and the email's letters (digits and
    separators removed). The prepared model computes the same in SQL; this is for records prepared elsewhere
    (the benchmark's synthetic records, tests)."""
    email = records.column("email_std")
    derived = {
        "first_name_forms_text": pc.binary_join(records.column("first_name_forms"), "|"),
        "email_letters": pc.replace_substring_regex(email, "[._0-9-]", ""),
    }
    for name, values in derived.items():
        if name in records.column_names:
            records = records.drop_columns([name])
        records = records.append_column(name, values)
    return records


def count_comparisons(con: duckdb.DuckDBPyConnection, table: str, rules: tuple[str, ...] = BLOCKING_RULES) -> int:
    """Candidate pairs of `table` under the blocking rules, each pair once (as Splink generates them: a pair
    found by an earlier rule is not generated again)."""
    con.execute("set enable_progress_bar = false")
    seen: list[str] = []
    parts = []
    for rule in rules:
        excluded = "".join(f" and not coalesce(({r}), false)" for r in seen)
        parts.append(f"select count(*) as n from {table} as l inner join {table} as r on {rule} "
                     f"where l.record_id < r.record_id{excluded}")
        seen.append(rule)
    return int(con.execute("select sum(n) from (" + " union all ".join(parts) + ")").fetchall()[0][0] or 0)


def only_pairs_with(model: dict[str, Any], flag: str) -> dict[str, Any]:
    """The model with every blocking rule restricted to pairs of which at least one record has `flag` true (the
    records new or changed since the last run): the same candidate pairs as the full rules, less those between
    two unchanged records, each still generated by the first rule that finds it."""
    rules = [r["blocking_rule"] if isinstance(r, dict) else r for r in model["blocking_rules_to_generate_predictions"]]
    restricted = [{"blocking_rule": f'({rule}) and (l."{flag}" or r."{flag}")'} for rule in rules]
    return {**model, "blocking_rules_to_generate_predictions": restricted}


def match_profile_records(records: pa.Table, config: MatchConfig | None = None,
                          con: duckdb.DuckDBPyConnection | None = None,
                          with_comparisons: bool = False, *, model: dict[str, Any] | None = None,
                          new_flag: str | None = None) -> tuple[pa.Table, dict[str, Any]]:
    """Scored links between profile records at or above the threshold, and run figures (seconds of each step;
    with `with_comparisons`, the number of candidate pairs scored, counted apart, outside the timings).

    `model`: a model a previous run trained (`stats["model"]`), used as it is: no training. `new_flag`: a
    boolean column of `records`; only the pairs with at least one flagged record are scored (an increment)."""
    from splink import DuckDBAPI, Linker

    config = config or MatchConfig()
    if not set(DERIVED) <= set(records.column_names):
        records = with_derived_columns(records)
    records = records.select(list(MATCH_COLUMNS) + ([new_flag] if new_flag else []))
    stats: dict[str, Any] = {"records": records.num_rows, "trained": False, "model": model}
    if records.num_rows < 2:
        return EMPTY.empty_table(), stats | {"comparisons": 0}
    con = con or duckdb.connect()
    con.execute("set threads to 2")  # the profile's thread count; splink runs many small statements
    db = DuckDBAPI(connection=con)
    logging.getLogger("splink").setLevel(logging.WARNING)
    df = db.register(records, table_name="profile_records")
    trainable = model is None and records.num_rows >= config.min_records_to_train
    started = time.perf_counter()
    if trainable:
        linker = Linker(df, settings(config), log_level=logging.WARNING)
        _train(linker, config)
        stats["trained"] = True
        stats["model"] = linker.misc.save_model_to_json()
    stats["train_seconds"] = time.perf_counter() - started
    scoring = stats["model"] or settings(config, term_frequencies=False)
    if new_flag:
        scoring = only_pairs_with(scoring, new_flag)
    if not stats["trained"] or new_flag:
        linker = Linker(df, scoring, log_level=logging.WARNING)
    started, cpu = time.perf_counter(), time.process_time()
    # every candidate pair is scored; only the links are written out
    predictions = linker.inference.predict(threshold_match_weight=float(config.match_weight_threshold),
                                           warning_mode="never")
    stats["predict_seconds"] = time.perf_counter() - started
    stats["predict_cpu_seconds"] = time.process_time() - cpu  # all threads: steadier than wall time under load
    started = time.perf_counter()
    name = predictions.physical_name
    links = con.sql(f"""
        select
            p.record_id_l || ' ~ ' || p.record_id_r as link_id,
            p.record_id_l as left_record_id,
            p.record_id_r as right_record_id,
            l.source as left_source,
            r.source as right_source,
            round(cast(p.match_weight as double), 6) as match_weight,
            round(cast(p.match_probability as double), 9) as match_probability,
            {explanation_sql('p')} as matched_fields
        from {name} as p
        -- the source is joined back on the links only, not carried through the scoring of every pair
        inner join profile_records as l on p.record_id_l = l.record_id
        inner join profile_records as r on p.record_id_r = r.record_id
        where p.match_weight >= {float(config.match_weight_threshold)}
        order by link_id
    """).to_arrow_table()
    stats["explain_seconds"] = time.perf_counter() - started
    stats["links"] = links.num_rows
    if with_comparisons:
        stats["comparisons"] = count_comparisons(con, "profile_records")
    return links.cast(EMPTY), stats
