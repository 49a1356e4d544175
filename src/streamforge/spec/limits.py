"""Documented limits of the schema language, checked by `validate` (README, "Limits").

Each keeps one chunk of one table inside memory on an ordinary machine and every name inside what
file systems and Unity Catalog accept; a schema within them generates.
"""

from __future__ import annotations

MAX_ROWS = 100_000_000  # num_rows of one table: dimension rows, or rows per batch (before --scale)
MAX_COLUMNS = 1_000  # columns of one table
MAX_NAME_LENGTH = 128  # table and column names; a landing file name adds ~40 characters
MAX_ITEMS = 1_000  # max_items of one array or map
MAX_DEPTH = 4  # arrays/maps nested inside each other
MAX_ELEMENTS = 1_000  # elements of one row's value, over every nesting level (product of max_items)
RESERVED_TABLES = ("_streamforge",)  # the landing area's control folder

LIMITS_TEXT = (
    f"num_rows <= {MAX_ROWS:,}; <= {MAX_COLUMNS:,} columns per table; names <= "
    f"{MAX_NAME_LENGTH} characters; max_items <= {MAX_ITEMS:,}; arrays/maps nested <= {MAX_DEPTH} "
    f"deep with <= {MAX_ELEMENTS:,} elements per row"
)


def name_problem(name: str, what: str) -> str | None:
    """Why a table or column name cannot be used, beyond the snake_case pattern."""
    if len(name) > MAX_NAME_LENGTH:
        return f"{what} is {len(name)} characters long; the limit is {MAX_NAME_LENGTH}"
    return None
