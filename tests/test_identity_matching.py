"""Probabilistic matching's building blocks (cdp/identity/matching.py), without dbt."""

from __future__ import annotations

import ast
import datetime
import random
from pathlib import Path

import duckdb
import jinja2
import pyarrow as pa

from cdp.identity.matching import (
    COLUMNS,
    DERIVED,
    MATCH_COLUMNS,
    MatchConfig,
    _labels,
    _one_edit,
    comparisons,
    count_comparisons,
    match_profile_records,
    with_derived_columns,
)


def test_the_fast_one_edit_test_agrees_with_damerau_levenshtein() -> None:
    rng = random.Random(3)
    letters = "ab.1@"

    def edit(s: str) -> str:
        k = rng.randrange(len(s) + 1)
        kind = rng.randrange(5)
        if kind == 0:
            return s[:k] + rng.choice(letters) + s[k:]
        if kind == 1 and k < len(s):
            return s[:k] + s[k + 1:]
        if kind == 2 and k < len(s):
            return s[:k] + rng.choice(letters) + s[k + 1:]
        if kind == 3 and k + 1 < len(s):
            return s[:k] + s[k + 1] + s[k] + s[k + 2:]
        return edit(edit(s)) if kind == 4 else s

    pairs = []
    for _ in range(4000):
        s = "".join(rng.choice(letters) for _ in range(rng.randrange(0, 9)))
        pairs.append((s, edit(s)))
        pairs.append((s, "".join(rng.choice(letters) for _ in range(rng.randrange(0, 9)))))
    con = duckdb.connect()
    con.execute("create table p (a varchar, b varchar)")
    con.executemany("insert into p values (?, ?)", pairs)
    wrong = con.execute(f"select a, b from p where ({_one_edit('a', 'b')}) <> (damerau_levenshtein(a, b) <= 1)"
                        ).fetchall()
    assert wrong == []
    within = con.execute("select count(*) filter (where damerau_levenshtein(a, b) <= 1), "
                         "count(*) filter (where damerau_levenshtein(a, b) > 1) from p").fetchall()[0]
    assert min(within) > 1000  # both sides of the test are exercised


def _records(rows: list[dict]) -> pa.Table:
    """Prepared profile records (the shape of int_profile_records_prepared) from a few fields each."""
    columns: dict[str, list] = {c: [] for c in COLUMNS}
    for i, row in enumerate(rows):
        first = row.get("first")
        full = {"record_id": f"r{i}", "source": "crm_contacts", "first_name_std": first,
                "first_name_forms": row.get("forms", [first] if first else None), "first_name_key": first,
                "last_name_std": row.get("last"), "email_std": row.get("email"),
                "email_local": row["email"].split("@")[0] if row.get("email") else None,
                "phone_std": row.get("phone"), "postcode_std": row.get("postcode"), "street_std": row.get("street"),
                "city_std": None, "birth_date": row.get("birth_date")}
        for c in COLUMNS:
            columns[c].append(full[c])
    return pa.table(columns, schema=pa.schema([(c, pa.list_(pa.string()) if c == "first_name_forms" else
                                                 pa.date32() if c == "birth_date" else pa.string())
                                                for c in COLUMNS]))


def test_the_derived_columns_are_computed_once_a_record() -> None:
    out = with_derived_columns(_records([
        {"first": "bill", "forms": ["bill", "william"], "last": "hall", "email": "bill.hall2@gmial.com",
         "birth_date": datetime.date(1980, 4, 3)},
        {"first": "ann", "last": "lee"},
    ])).to_pylist()
    assert out[0]["email_letters"] == "billhall@gmialcom" and out[0]["first_name_forms_text"] == "bill|william"
    assert out[1]["email_letters"] is None and out[1]["first_name_forms_text"] == "ann"
    # what the joins carry: no list, nothing no comparison or blocking rule reads
    assert "first_name_forms" not in MATCH_COLUMNS and "city_std" not in MATCH_COLUMNS


def _gamma(comparison: str, left: dict, right: dict) -> int:
    """The level (Splink's gamma) of one comparison for one pair, by the comparison's own SQL."""
    [levels] = [c["comparison_levels"] for c in comparisons() if c["output_column_name"] == comparison]
    table = with_derived_columns(_records([left, right])).to_pylist()
    con = duckdb.connect()
    row = {f"{k}_{side}": v for side, rec in (("l", table[0]), ("r", table[1])) for k, v in rec.items()}
    con.execute("create table p as select " + ", ".join(f"${k} as \"{k}\"" for k in row), row)
    counted = [lv for lv in levels if not lv.get("is_null_level")]
    for lv in levels:
        if lv.get("is_null_level") and con.execute(f"select {lv['sql_condition']} from p").fetchone()[0]:
            return -1
    for i, lv in enumerate(counted):
        if lv["sql_condition"] == "else" or con.execute(f"select coalesce({lv['sql_condition']}, false) from p"
                                                        ).fetchone()[0]:
            return len(counted) - 1 - i
    raise AssertionError("no level")


def _label(comparison: str, gamma: int) -> str:
    return _labels()[comparison][gamma] if gamma >= 0 else "null"


def test_an_email_slip_in_a_letter_is_one_typo_but_another_number_or_separator_is_another_mailbox() -> None:
    def level(a: str, b: str) -> str:
        return _label("email", _gamma("email", {"email": a}, {"email": b}))

    assert level("jsmith@mail.com", "jsmith@mail.com") == "exact"
    assert level("jsmith@gmail.com", "jsmith@gmial.com") == "domain_typo"
    assert level("jsmith@mail.com", "jsmiht@mail.com") == "one_typo"
    assert level("jsmith@mail.com", "jsmth@mail.com") == "one_typo"
    assert level("john.smith12@mail.com", "john.smith13@mail.com") == "different"  # a namesake's mailbox
    assert level("john.hall@mail.com", "johnhall@mail.com") == "different"
    assert level("jsmith@mail.com", "ksmyth@mail.com") == "different"


def test_nicknames_agree_through_any_form_they_share() -> None:
    def level(a: tuple[str, list[str]], b: tuple[str, list[str]]) -> str:
        return _label("first_name", _gamma("first_name", {"first": a[0], "forms": a[1], "last": "x"},
                                           {"first": b[0], "forms": b[1], "last": "y"}))

    assert level(("bill", ["bill", "william"]), ("william", ["william"])) == "nickname"
    assert level(("bill", ["bill", "william"]), ("will", ["will", "william"])) == "nickname"  # a formal form
    assert level(("bill", ["bill", "william"]), ("bob", ["bob", "robert"])) == "same_first_letter"
    assert level(("bill", ["bill", "william"]), ("tom", ["tom", "thomas"])) == "different"


def test_first_and_last_name_swapped_are_linked_by_the_other_evidence() -> None:
    records = _records([
        {"first": "thomas", "last": "james", "phone": "+14155550101"},
        {"first": "james", "last": "thomas", "phone": "+14155550101"},
        {"first": "james", "last": "walker", "phone": "+14155550199"},
        {"first": "mary", "last": "walker", "phone": "+14155550199"},  # a household's phone, another person
    ])
    links, _ = match_profile_records(records, MatchConfig())
    pairs = {(r["left_record_id"], r["right_record_id"]): r["matched_fields"] for r in links.to_pylist()}
    assert set(pairs) == {("r0", "r1")}
    assert "first_name=swapped_with_last_name" in pairs[("r0", "r1")]


def test_the_candidate_pairs_are_counted_once_each_as_splink_generates_them() -> None:
    records = with_derived_columns(_records([
        {"first": "ann", "last": "lee", "email": "ann@x.com", "phone": "+1"},
        {"first": "ann", "last": "lee", "email": "ann@x.com", "phone": "+1"},  # found by three rules: once
        {"first": "ann", "last": "lee"},
        {"first": "bob", "last": "ray"},
    ]))
    con = duckdb.connect()
    con.register("recs", records)
    assert count_comparisons(con, "recs") == 3  # r0-r1, r0-r2, r1-r2 (same name); bob with no one


def test_the_dbt_model_reads_its_thresholds_from_the_project_vars() -> None:
    """dbt passes a Python model only the config keys it finds as `dbt.config.get(...)` calls it can parse: a
    call nested in `float(dbt.config.get(...) or 7.0)` is not found, and the var is silently not applied."""
    from dbt.parser.models import PythonParseVisitor

    source = (Path(__file__).resolve().parent.parent / "models" / "intermediate" / "identity"
              / "int_profile_records_matched.py").read_text()
    visitor = PythonParseVisitor(None)
    visitor.visit(ast.parse(source))
    keys = {args[0] for func, args, _ in visitor.dbt_function_calls if func == "get"}
    assert {"match_weight_threshold", "min_records_to_train"} <= keys

    nested = "def model(dbt, session):\n    x = float(dbt.config.get('match_weight_threshold') or 7.0)\n"
    visitor = PythonParseVisitor(None)
    visitor.visit(ast.parse(nested))
    assert not [c for c in visitor.dbt_function_calls if c[0] == "get"]  # the old form: the bug this guards


def _prepared(crm: list[dict]) -> list[dict]:
    """The prepared model (int_profile_records_prepared) run on DuckDB over a few CRM contacts: its Jinja
    rendered with the refs as plain tables and the junk-value macros stubbed (no value is junk here)."""
    model = (Path(__file__).resolve().parent.parent / "models" / "intermediate" / "identity"
             / "int_profile_records_prepared.sql").read_text()
    sql = jinja2.Template(model).render(
        ref=lambda name: name, identity_is_junk=lambda *args: "false",
        identity_normalize_identifier=lambda column, kind: f"lower(trim({column}))")
    con = duckdb.connect()
    people = "first_name varchar, last_name varchar, email varchar, phone varchar, is_current boolean"
    con.execute(f"create table stg_crm_contacts__contacts (crm_contact_key varchar, {people}, birth_date date, "
                "postcode varchar, street_address varchar, city varchar)")
    con.execute(f"create table stg_shop_customers__customers (shop_customer_id varchar, {people})")
    con.execute(f"create table stg_loyalty_members__members (loyalty_id varchar, {people}, birth_date date, "
                "postcode varchar)")
    con.execute("create table identifier_nicknames as select 'bill' as nickname, 'william' as first_name")
    con.execute("create table identifier_blocklist (identifier_type varchar, identifier_value varchar)")
    for i, row in enumerate(crm):
        con.execute("insert into stg_crm_contacts__contacts values (?, ?, ?, ?, ?, true, ?, ?, ?, null)",
                    [f"c{i}", row.get("first"), row.get("last"), row.get("email"), row.get("phone"),
                     row.get("birth_date"), row.get("postcode"), row.get("street")])
    table = con.sql(sql).to_arrow_table()
    return sorted(table.to_pylist(), key=lambda r: r["record_id"])


def test_streets_are_standardized_as_postal_standards_write_them() -> None:
    streets = ["12 Oak Street", "12 oak st.", "12 Oak St, Apt 4B", "12 Oak St Unit 301", "12 OAK ST #4",
               "4 North Park Avenue Suite 200", "1869 High Close", "12 Elm St", "", None]
    out = [r["street_std"] for r in _prepared([{"first": "ann", "street": x} for x in streets])]
    assert out[:5] == ["12 oak st"] * 5
    assert out[5:] == ["4 n park ave", "1869 high cl", "12 elm st", None, None]


def test_a_digit_in_a_name_is_read_as_the_letter_it_was_mistaken_for() -> None:
    rows = _prepared([{"first": "5andra", "last": "Mi11er"}, {"first": "R0SE", "last": "O'Neil-Smith"}])
    assert [(r["first_name_std"], r["last_name_std"]) for r in rows] == [("sandra", "miller"),
                                                                        ("rose", "oneilsmith")]


def test_the_prepared_model_derives_what_the_matcher_derives() -> None:
    rows = _prepared([
        {"first": "Bill", "last": "Hall", "email": "Bill.Hall2@gmial.com", "birth_date": datetime.date(1980, 4, 3)},
        {"first": "Ann", "last": "Lee", "email": "a@b@c"},
        {"first": "Ann", "last": "Lee"},
    ])
    table = pa.Table.from_pylist(rows)
    again = with_derived_columns(table.drop_columns(list(DERIVED)))
    for column in DERIVED:
        assert table.column(column).to_pylist() == again.column(column).to_pylist(), column
    assert rows[0]["first_name_forms_text"] == "bill|william" and rows[0]["email_letters"] == "billhall@gmialcom"


def test_a_shared_landline_or_family_mailbox_does_not_link_a_household() -> None:
    home = {"last": "walker", "street": "12 oak st", "postcode": "62701"}
    records = _records([
        {**home, "first": "james", "phone": "+12175550101"},
        {**home, "first": "mary", "phone": "+12175550101"},  # his wife: their landline
        {**home, "first": "jim", "forms": ["jim", "james"], "phone": "+12175550101"},  # him again, a nickname
        {**home, "first": "anna", "email": "thewalkers@mail.com"},
        {**home, "first": "peter", "email": "thewalkers@mail.com"},  # the family's mailbox
    ])
    links, _ = match_profile_records(records, MatchConfig())
    pairs = {(r["left_record_id"], r["right_record_id"]): r["matched_fields"] for r in links.to_pylist()}
    assert set(pairs) == {("r0", "r2")}
    assert "phone=exact(" in pairs[("r0", "r2")]
    assert _label("phone", _gamma("phone", {"first": "james", "phone": "+12175550101"},
                                  {"first": "mary", "phone": "+12175550101"})) == "exact_shared"


def _links(rows: list[dict]) -> dict[tuple[str, str], str]:
    links, _ = match_profile_records(_records(rows), MatchConfig())
    return {(r["left_record_id"], r["right_record_id"]): r["matched_fields"] for r in links.to_pylist()}


def test_a_first_name_typo_is_one_typo_and_a_siblings_close_name_is_only_similar() -> None:
    def level(a: str, b: str) -> str:
        return _label("first_name", _gamma("first_name", {"first": a, "last": "x"}, {"first": b, "last": "y"}))

    assert level("jeffrey", "jefvrey") == "one_typo"  # a neighbouring key
    assert level("matthew", "mattew") == "one_typo"  # a letter dropped
    assert level("christine", "christopher") == "similar"  # a brother and a sister, not a slip
    assert level("paul", "paula") == "similar" and level("maria", "mario") == "similar"  # a final letter: another
    assert level("j", "james") == "initial"
    assert level("jane", "james") == "same_first_letter"
    assert level("al", "ed") == "different"


def test_a_shared_address_counts_for_one_person_only_with_first_names_that_match() -> None:
    def level(a: str, b: str, **where: str | list | None) -> str:
        home = {"last": "powell", "street": "12 oak st", "postcode": "62701"} | where
        return _label("address", _gamma("address", {**home, "first": a}, {**home, "first": b}))

    assert level("jeffrey", "jefvrey") == "same_street"
    assert level("bill", "william", forms=["bill", "william"]) == "same_street"
    assert level("james", "jane") == "same_street_household"
    assert level("j", "james") == "same_street_household"  # an initial: either of a household's j's
    assert level("james", "jane", street=None) == "postcode_street_unknown_household"
    assert level("jeffrey", "jefvrey", street=None) == "postcode_street_unknown"
    typo = {"last": "powell", "street": "12 oka st", "postcode": "62701"}  # the street mistyped on one side
    assert _label("address", _gamma("address", {**typo, "first": "jeffrey"},
                                    {"last": "powell", "street": "12 oak st", "postcode": "62701", "first": "jefvrey"}
                                    )) == "similar_street"
    assert _label("address", _gamma("address", {**typo, "first": "jane"},
                                    {"last": "powell", "street": "12 oak st", "postcode": "62701", "first": "james"}
                                    )) == "similar_street_household"


def test_a_typo_in_the_first_name_links_at_one_address_but_a_household_member_does_not() -> None:
    home = {"last": "powell", "street": "12 oak st", "postcode": "62701"}
    pairs = _links([
        {**home, "first": "jeffrey"},
        {**home, "first": "jefvrey"},  # him, a slip of the keyboard
        {**home, "first": "jennifer"},  # his wife
        {**home, "first": "j"},  # either of them
    ])
    assert set(pairs) == {("r0", "r1")}
    assert "first_name=one_typo" in pairs[("r0", "r1")] and "address=same_street" in pairs[("r0", "r1")]
    # a loyalty member gives a postcode and no street: the same, within the postcode
    area = {"last": "powell", "postcode": "62701"}
    pairs = _links([{**area, "first": "jeffrey", "street": "12 oak st"}, {**area, "first": "jefvrey"},
                    {**area, "first": "jennifer"}])
    assert set(pairs) == {("r0", "r1")}
    assert "address=postcode_street_unknown(" in pairs[("r0", "r1")]


def test_a_short_form_missing_from_the_nickname_list_links_but_a_husband_and_wife_do_not() -> None:
    assert _label("first_name", _gamma("first_name", {"first": "nat"}, {"first": "natalie"})) == "short_form"
    born = datetime.date(1980, 4, 3)
    pairs = _links([
        {"first": "nat", "last": "powell", "birth_date": born},
        {"first": "natalie", "last": "powell", "birth_date": born},  # her, a short form the seed lacks
        {"first": "paul", "last": "ryan", "street": "12 oak st", "postcode": "62701"},
        {"first": "paula", "last": "ryan", "street": "12 oak st", "postcode": "62701"},  # his wife
    ])
    assert set(pairs) == {("r0", "r1")}


def test_a_phone_typo_counts_only_with_first_names_that_match() -> None:
    def level(a: str, b: str) -> str:
        return _label("phone", _gamma("phone", {"first": a, "phone": "+12175550101"},
                                      {"first": b, "phone": "+12175550701"}))

    assert level("gloria", "gloria") == "one_typo"
    assert level("gloria", "gary") == "different"  # a household's landline mistyped: not one person's


def test_birth_date_and_postcode_find_a_pair_with_both_names_mistyped() -> None:
    born = datetime.date(1980, 4, 3)
    pairs = _links([
        {"first": "jeffrey", "last": "powell", "birth_date": born, "postcode": "62701"},
        # him, both names mistyped (the first letter too): no name key in common
        {"first": "heffrey", "last": "powel", "birth_date": born, "postcode": "62701"},
        {"first": "mary", "last": "powell", "birth_date": born, "postcode": "62701"},  # his twin sister
    ])
    assert set(pairs) == {("r0", "r1")}


def test_birth_date_and_initial_find_a_pair_with_both_names_mistyped_and_no_address() -> None:
    born = datetime.date(1980, 4, 3)
    pairs = _links([
        {"first": "jeffrey", "last": "powell", "birth_date": born},
        {"first": "jefvrey", "last": "powel", "birth_date": born},
        {"first": "jennifer", "last": "powell", "birth_date": born},  # his twin sister: same initial
    ])
    assert set(pairs) == {("r0", "r1")}


def test_swapped_names_are_candidates_without_any_other_shared_key() -> None:
    pairs = _links([
        {"first": "thomas", "last": "james", "birth_date": datetime.date(1980, 4, 3), "street": "12 oak st",
         "postcode": "62701"},
        # him, the names in the wrong boxes and the day mistyped: no blocking key but the swapped names
        {"first": "james", "last": "thomas", "birth_date": datetime.date(1980, 4, 13), "street": "12 oak st",
         "postcode": "62701"},
        # another james thomas, elsewhere, born another year: a candidate, not a link
        {"first": "james", "last": "thomas", "birth_date": datetime.date(1961, 9, 20), "street": "4 elm st",
         "postcode": "97301"},
    ])
    assert set(pairs) == {("r0", "r1")}
    assert "first_name=swapped_with_last_name" in pairs[("r0", "r1")]


def test_a_one_person_address_level_takes_the_random_pair_rate_of_the_address_alone() -> None:
    from types import SimpleNamespace

    from cdp.identity.matching import _u_from_marginals

    def level(label: str, trained: float | None, u: float) -> SimpleNamespace:
        return SimpleNamespace(label_for_charts=label, _trained_u_median=trained, u_probability=u)

    one, household = level("similar_street", 1e-6, 0.0003), level("similar_street_household", 4e-5, 0.0005)
    linker = SimpleNamespace(_settings_obj=SimpleNamespace(comparisons=[SimpleNamespace(
        output_column_name="address", _comparison_levels_excluding_null=[one, household])]))
    _u_from_marginals(linker)
    # the joint rate (address and first names, 1e-6) would count the first names twice
    assert abs(one.u_probability - 4.1e-5) < 1e-12 and household.u_probability == 0.0005
