"""README / issue #13 item 5: `locale:` on a table picks Faker's locale. A `faker:` column of a
de_DE table is drawn from the de_DE provider: `faker: iban` is a German IBAN (DE + 20 digits,
mod-97 check), `faker: phone_number` a number valid in Germany, `faker: city` a German town."""

from __future__ import annotations

import phonenumbers
from faker.providers.address.de_DE import Provider


def _iban_ok(iban: str) -> bool:
    moved = iban[4:] + iban[:4]
    return int("".join(str(int(ch, 36)) for ch in moved)) % 97 == 1


def test_faker_columns_follow_the_table_locale(run_lab) -> None:
    columns = {
        "konto_id": "int",
        "iban": {"type": "string", "faker": "iban"},
        "telefon": {"type": "string", "faker": "phone_number"},
        "ort": {"type": "string", "faker": "city"},
    }
    table = {"type": "dimension", "num_rows": 200, "locale": "de_DE", "columns": columns}
    rows = run_lab({"konto": table}).rows("konto")
    assert all(r["iban"].startswith("DE") and len(r["iban"]) == 22 for r in rows)
    assert all(_iban_ok(r["iban"]) for r in rows)
    assert {r["ort"] for r in rows} <= set(Provider.cities)  # German town names
    for r in rows:
        number = phonenumbers.parse(r["telefon"], "DE")
        assert phonenumbers.is_valid_number(number) and number.country_code == 49, r
