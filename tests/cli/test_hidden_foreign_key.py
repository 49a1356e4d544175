"""A `hidden: true` foreign key used by a lookup: validate accepts it, generate writes the fact
without the key. verify must then judge (or skip, with a note) the lookup, never stop with an
internal error (house rule: bad input gives a clear message, no traceback)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .lab import lab

SHOP = """\
table: shop
type: dimension
num_rows: 10
columns:
  shop_id: int
  region: {type: string, values: [Nord, Sued]}
"""
SALE = """\
table: sale
type: fact
num_rows: 50
columns:
  sale_id: int
  shop_id: {type: int, hidden: true}
  ts: datetime
  shop_region: {type: string, expr: "shop.region"}
"""


def test_verify_judges_a_lookup_through_a_hidden_key(tmp_path: Path) -> None:
    sector = lab(tmp_path, SHOP, SALE)
    gen = sector.invoke("generate")
    if gen.exit_code == 2:  # validate refusing a hidden key, naming it, is a correct answer too
        assert "shop_id" in gen.output, gen.output
        return
    assert gen.exit_code == 0, gen.output
    ver = sector.invoke("verify")
    assert "internal error" not in ver.output, ver.output
    assert ver.exit_code == 0, ver.output
    # the lookup it could not judge is named, with the column it lacks
    assert "shop_region not judged: shop_id not in the landing" in ver.output, ver.output


@pytest.mark.parametrize(
    ("hidden", "note"),
    [
        ("sale_id", "sale: unique row keys not judged: sale_id not in the landing"),
        (
            "ts",
            "sale: lookups (as of the event time) not judged: an event time column not in the "
            "landing",
        ),
        ("shop_id", "sale: foreign key shop_id (orphans) not judged: shop_id not in the landing"),
    ],
)
def test_every_check_names_the_hidden_column_it_skips(
    tmp_path: Path, hidden: str, note: str
) -> None:
    """Any role column hidden (row key, event time, foreign key): verify passes and says which
    check it could not judge, never crashes and never skips silently."""
    sale = SALE.replace("shop_id: {type: int, hidden: true}", "shop_id: int")
    sale = sale.replace(f"  {hidden}: int\n", f"  {hidden}: {{type: int, hidden: true}}\n")
    sale = (
        sale.replace("  ts: datetime\n", "  ts: {type: datetime, hidden: true}\n")
        if (hidden == "ts")
        else sale
    )
    sector = lab(tmp_path, SHOP, sale)
    gen = sector.invoke("generate")
    assert gen.exit_code == 0, gen.output
    ver = sector.invoke("verify")
    assert ver.exit_code == 0, ver.output
    assert note in ver.output, ver.output


@pytest.mark.parametrize(
    ("hidden", "claim", "said"),
    [
        ("sale_id", "keys unique", "keys unique except sale.sale_id (not judged)"),
        ("shop_id", "every foreign key live", "every foreign key live except sale.shop_id"),
    ],
)
def test_the_ok_summary_claims_only_what_was_checked(
    tmp_path: Path, hidden: str, claim: str, said: str
) -> None:
    """A key or foreign key verify could not see (hidden) is not vouched for in the `ok:` line:
    the claim names the column it skipped; the other claims stay whole."""
    sale = SALE.replace("shop_id: {type: int, hidden: true}", "shop_id: int")
    sale = sale.replace(f"  {hidden}: int\n", f"  {hidden}: {{type: int, hidden: true}}\n")
    sector = lab(tmp_path, SHOP, sale)
    gen = sector.invoke("generate")
    assert gen.exit_code == 0, gen.output
    ver = sector.invoke("verify")
    assert ver.exit_code == 0, ver.output
    summary = next(line for line in ver.output.splitlines() if line.startswith("ok:"))
    assert said in summary, summary
    assert f"{claim}," not in summary, summary  # never the unqualified claim
    other = {"keys unique", "every foreign key live"} - {claim}
    assert all(f"{words}," in summary for words in other), summary


def test_the_ok_summary_is_whole_when_everything_was_checked(tmp_path: Path) -> None:
    sector = lab(tmp_path, SHOP, SALE.replace("shop_id: {type: int, hidden: true}", "shop_id: int"))
    gen = sector.invoke("generate")
    assert gen.exit_code == 0, gen.output
    ver = sector.invoke("verify")
    assert ver.exit_code == 0, ver.output
    whole = "keys unique, every foreign key live, expr columns equal their expressions, checks hold"
    assert whole in ver.output, ver.output
    assert "not judged" not in ver.output, ver.output
