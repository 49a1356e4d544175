"""A row's `email` and `username` are made from its `name` (README, smart fields: "`email` and
`username` are made from the name").

The address's local part (before the @) without its trailing number is the name written in
lower-case ASCII (umlauts spelled out, accents dropped, non-alphanumerics removed), as
first.last, first_last or firstlast, or the first initial then the last name (flast). So an
e-mail or a name swapped with another row's is caught. Only the row's own person is judged (the
unprefixed smart fields `name`, `email`, `username`), the rows where both are non-NULL and the
name has some ASCII letter. Vectorised: pyarrow.compute and numpy's string functions.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from streamforge.plan import TablePlan
from streamforge.plural import counted
from streamforge.verify.report import Report


def _ascii_lower(text: pa.Array) -> pa.Array:
    text = pc.utf8_lower(text)
    for umlaut, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = pc.replace_substring(text, umlaut, spelled)
    return pc.replace_substring_regex(pc.utf8_normalize(text, "NFKD"), "[^a-z0-9]", "")


def _smart(table: TablePlan, data: pa.Table, name: str) -> bool:
    col = next((c for c in table.columns if c.name == name), None)
    if col is None or name not in data.column_names:
        return False
    if col.values is not None or col.format is not None or col.faker is not None:
        return False
    return pa.types.is_string(data.schema.field(name).type)


def check_people(report: Report, table: TablePlan, cycle: int, data: pa.Table) -> list[str]:
    """Findings for rows whose e-mail or username is not made from the row's name; the columns
    judged."""
    if not _smart(table, data, "name"):
        return []
    judged = [c for c in ("email", "username") if _smart(table, data, c)]
    name = data.column("name").combine_chunks()
    if _smart(table, data, "first_name") and _smart(table, data, "last_name"):
        # `name` is first + last name where the table has both
        parts = [data.column(c).combine_chunks() for c in ("first_name", "last_name")]
        whole = pc.binary_join_element_wise(*parts, " ")
        differ = pc.fill_null(pc.not_equal(name, whole), False).to_numpy(zero_copy_only=False)
        _report(report, table, cycle, data, np.asarray(differ, dtype=bool), "name", "first + last")
        judged.extend(("first_name", "last_name"))
    compact = _ascii_lower(name)
    for column in [c for c in judged if c in ("email", "username")]:
        local = pc.utf8_lower(data.column(column).combine_chunks())
        if column == "email":
            local = pc.replace_substring_regex(local, "@.*$", "")
        local = pc.replace_substring_regex(local, r"[0-9]+$", "")
        local = pc.replace_substring_regex(local, r"[._]", "")
        valid = pc.and_(pc.is_valid(local), pc.greater(pc.utf8_length(compact), 1))
        valid = np.asarray(pc.fill_null(valid, False).to_numpy(zero_copy_only=False), dtype=bool)
        s = np.asarray(pc.fill_null(local, "").to_numpy(zero_copy_only=False), dtype=str)
        full = np.asarray(pc.fill_null(compact, "").to_numpy(zero_copy_only=False), dtype=str)
        same = s == full
        # flast: the first initial, then the last name (a suffix of the compact name)
        initial = (np.char.str_len(s) >= 2) & (_first_char(s) == _first_char(full))
        flast = initial & np.char.endswith(full, _drop_first(s))
        bad = valid & ~same & ~flast
        _report(report, table, cycle, data, bad, column, "made from its name")
    return ["name", *judged] if judged else []


def _first_char(s: np.ndarray) -> np.ndarray:
    return np.asarray(
        pc.utf8_slice_codeunits(pa.array(s, pa.string()), 0, 1).to_numpy(zero_copy_only=False),
        dtype=str,
    )


def _drop_first(s: np.ndarray) -> np.ndarray:
    """Each string without its first character, element-wise (pyarrow slice, no Python loop)."""
    return np.asarray(
        pc.utf8_slice_codeunits(pa.array(s, pa.string()), 1).to_numpy(zero_copy_only=False),
        dtype=str,
    )


def _report(
    report: Report, table: TablePlan, cycle: int, data: pa.Table, bad, column: str, rule: str
) -> None:
    """One finding for the rows `bad` (numpy bool) whose `column` breaks `rule`."""
    if not bad.any():
        return
    first = int(np.flatnonzero(bad)[0])
    report.add(
        table.name,
        cycle,
        f"{counted(int(bad.sum()), 'row')} whose {column} is not {rule} (e.g. row {first}: "
        f"name {data.column('name')[first].as_py()!r}, {column} "
        f"{data.column(column)[first].as_py()!r})",
        column=column,
        kind="person",
        count=int(bad.sum()),
        example=first,
    )
