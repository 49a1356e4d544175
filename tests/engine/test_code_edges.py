"""Issue #13 item 6 at the edges: codes keep valid check digits on every row, for any seed, with
`unique: true`, `null_rate` and `anomaly_rate`, in every supported locale and across cycles.

Check digits are computed here from the standards (Luhn / ISO/IEC 7812, GS1 for EAN-13, EAN-8 and
UPC-A, ISO 13616 mod-97 for IBAN), not by the engine's code. A code column's anomaly is a NULL
(README: the not-null rule every anomalous column gets), so an anomaly never writes a code with
a broken check digit: the column's NULLs are exactly its counted anomalies. `validate` refuses
`null_rate` beside `anomaly_rate` on such a column, since the two would be indistinguishable.
"""

from __future__ import annotations

import re

import pyarrow as pa
import pytest
from faker import Faker
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from streamforge.spec.locales import SUPPORTED_LOCALES


def luhn_valid(number: str) -> bool:
    """ISO/IEC 7812: from the right, every second digit doubled (9 taken off above 9)."""
    if not number.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(number)):
        digit = int(char) * (2 if position % 2 else 1)
        total += digit - 9 if digit > 9 else digit
    return total % 10 == 0


def gs1_valid(code: str) -> bool:
    """GS1 (EAN-13, EAN-8, UPC-A): from the right, the payload's digits weigh 3, 1, 3, ..."""
    if not code.isdigit():
        return False
    *payload, check = (int(c) for c in code)
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(payload)))
    return (10 - total % 10) % 10 == check


def iban_valid(iban: str) -> bool:
    """ISO 13616: country and check digits moved to the end, letters as 10..35, mod 97 == 1."""
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", iban):
        return False
    moved = iban[4:] + iban[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


# column -> (spec, the rule every written value obeys)
CODES = {
    "card_number": ({"type": "string"}, lambda v: len(v) == 16 and luhn_valid(v)),
    "pan": ({"type": "string"}, lambda v: len(v) == 16 and luhn_valid(v)),
    "upc": ({"type": "string"}, lambda v: len(v) == 12 and gs1_valid(v)),
    "ean13": ({"type": "string"}, lambda v: len(v) == 13 and gs1_valid(v)),
    "barcode": ({"type": "string"}, lambda v: len(v) == 13 and gs1_valid(v)),
    "gtin": ({"type": "string"}, lambda v: len(v) == 13 and gs1_valid(v)),
    "ean_faker": ({"type": "string", "faker": "ean13"}, lambda v: len(v) == 13 and gs1_valid(v)),
    "ean8_faker": ({"type": "string", "faker": "ean8"}, lambda v: len(v) == 8 and gs1_valid(v)),
    "karte": ({"type": "string", "faker": "credit_card_number"}, luhn_valid),
    "konto": ({"type": "string", "faker": "iban"}, iban_valid),
}
VARIANTS = {
    "plain": {},
    "unique": {"unique": True},
    "nulls": {"null_rate": 0.2},
    "anomalies": {"anomaly_rate": 0.1},
    "unique_nulls": {"unique": True, "null_rate": 0.1},
    "unique_anomalies": {"unique": True, "anomaly_rate": 0.1},
}


# `<variant>_<code>`: the name still ends with the code's (`unique_card_number` is a card number)
COLUMNS = {f"{variant}_{name}": (name, variant) for name in CODES for variant in VARIANTS}


def code_table(kind: str, rows: int, locale: str) -> dict:
    columns: dict = {"zeile_id": "long"}
    for column, (name, variant) in COLUMNS.items():
        columns[column] = {**CODES[name][0], **VARIANTS[variant]}
    return {"type": kind, "num_rows": rows, "locale": locale, "columns": columns}


def test_the_oracles_reject_a_changed_digit() -> None:
    assert luhn_valid("4111111111111111") and not luhn_valid("4111111111111112")
    assert gs1_valid("4006381333931") and not gs1_valid("4006381333932")
    assert gs1_valid("036000291452") and not gs1_valid("036000291453")
    assert gs1_valid("96385074") and not gs1_valid("96385075")
    assert iban_valid("DE89370400440532013000") and not iban_valid("DE89370400440532013001")
    assert iban_valid("GB82WEST12345698765432") and not iban_valid("GB82WEST12345698765433")


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**31),
    rows=st.integers(1, 1000),
    locale=st.sampled_from(SUPPORTED_LOCALES),
    kind=st.sampled_from(["dimension", "fact"]),
)
def test_every_written_code_is_valid_and_every_anomaly_is_a_counted_null(
    run_lab, seed, rows, locale, kind
) -> None:
    cycles = 2 if kind == "fact" else 1
    run = run_lab({"zeile": code_table(kind, rows, locale)}, seed=seed, cycles=cycles)
    batches = [run.outputs[("zeile", c)] for c in range(cycles)] if kind == "fact" else []
    if kind == "dimension":
        batches = [run.outputs[("zeile", 0)]]
    seen: dict[str, list[str]] = {}
    for batch in batches:
        for column in batch.data.column_names[1:]:
            values = batch.data.column(column).to_pylist()
            name, variant = COLUMNS[column]
            rule = CODES[name][1]
            written = [v for v in values if v is not None]
            bad = [v for v in written if not rule(v)]
            assert not bad, (column, bad[:3])
            seen.setdefault(column, []).extend(written)
            nulls = len(values) - len(written)
            anomalies = batch.anomalies.get(column, 0)
            if variant in ("plain", "unique"):
                assert nulls == 0 and anomalies == 0, column
            if variant.endswith("anomalies"):  # no null_rate: each NULL is a counted anomaly
                assert nulls == anomalies, (column, nulls, anomalies)
            if variant.endswith("nulls"):
                assert anomalies == 0, column
    for column, written in seen.items():
        if COLUMNS[column][1].startswith("unique"):  # across the batches of every cycle
            assert len(set(written)) == len(written), column


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_an_iban_is_of_the_tables_country(column_values, run_lab, locale: str) -> None:
    columns = {"k_id": "int", "iban": {"type": "string", "faker": "iban", "unique": True}}
    table = {"type": "dimension", "num_rows": 2000, "locale": locale, "columns": columns}
    values = run_lab({"k": table}).table("k").column("iban").to_pylist()
    country = Faker(locale).bank_country()
    assert all(v[:2] == country and iban_valid(v) for v in values)
    assert len(set(values)) == len(values)


def test_anomalies_are_counted_in_the_manifest_totals(run_lab) -> None:
    """Rows that an anomaly made NULL are the ones the run counts (the manifest's figure)."""
    table = code_table("dimension", 4000, "en_US")
    output = run_lab({"zeile": table}, seed=11).outputs[("zeile", 0)]
    for column in (c for c in output.data.column_names if c.startswith("anomalies_")):
        nulls = output.data.column(column).null_count
        assert 300 < nulls < 500, (column, nulls)  # 10% of 4000
        assert output.anomalies[column] == nulls
    assert isinstance(output.data.column("zeile_id"), pa.ChunkedArray)


def test_validate_refuses_null_rate_beside_anomaly_rate_on_a_code(lab_dir) -> None:
    from streamforge import sectors

    column = {"type": "string", "null_rate": 0.1, "anomaly_rate": 0.1}
    table = {"type": "dimension", "num_rows": 10, "columns": {"k_id": "int", "upc": column}}
    check = sectors.check_sector(lab_dir({"k": table}), "lab")
    assert check.plan is None
    (issue,) = check.errors
    assert (
        "k.yml:" in str(issue) and "'upc'" in str(issue) and "its anomalies are nulls" in str(issue)
    )


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_a_unique_iban_has_every_bban_of_the_locale(lab_dir, run_lab, locale: str) -> None:
    """Not a pool of Faker draws (~4,000, then the run stopped): each BBAN of the locale's
    format once, with its check digits; validate counts them."""
    from streamforge import sectors

    fmt = Faker(locale).bban.__self__.bban_format
    column = {"type": "string", "faker": "iban", "unique": True}
    table = {"type": "dimension", "num_rows": 6000, "locale": locale, "columns": {"k_id": "int"}}
    table["columns"]["iban"] = column
    check = sectors.check_sector(lab_dir({"k": table}), "lab")
    assert check.plan is not None
    (plan,) = [t for t in check.plan.tables if t.name == "k"]
    expected = 10 ** fmt.count("#") * 26 ** fmt.count("?")
    assert sectors._unique_capacity(plan.spec.column("iban"), locale) == expected
    values = run_lab({"k": table}).table("k").column("iban").to_pylist()
    assert len(set(values)) == 6000
    assert all(iban_valid(v) and len(v) == 4 + len(fmt) for v in values)
