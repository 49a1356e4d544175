"""A `hidden: true` foreign key used by a lookup: validate accepts it, generate writes the fact
without the key. verify must then judge (or skip, with a note) the lookup, never stop with an
internal error (house rule: bad input gives a clear message, no traceback)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from streamforge.cli import main

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
    folder = tmp_path / "schema" / "Lab"
    folder.mkdir(parents=True)
    (folder / "shop.yml").write_text(SHOP)
    (folder / "sale.yml").write_text(SALE)
    schema, out = str(tmp_path / "schema"), str(tmp_path / "out")
    runner = CliRunner()
    gen = runner.invoke(main, ["generate", "Lab", "--schema-dir", schema, "--out", out])
    if gen.exit_code == 2:  # validate refusing a hidden key, naming it, is a correct answer too
        assert "shop_id" in gen.output, gen.output
        return
    assert gen.exit_code == 0, gen.output
    ver = runner.invoke(main, ["verify", "Lab", "--schema-dir", schema, "--out", out])
    assert "internal error" not in ver.output, ver.output
    assert ver.exit_code == 0, ver.output
    # the lookup it could not judge is named, with the column it lacks
    assert "shop_region not judged: shop_id not in the landing" in ver.output, ver.output
