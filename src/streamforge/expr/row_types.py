"""The DuckDB type of each column as the engine writes it, without sqlglot or DuckDB: `validate`
types a row's expressions over these names (expr/static_types.py, expr/bind.py), and a cold
`validate` whose expressions are kept (expr/kept.py) loads neither."""

from __future__ import annotations

from streamforge.spec.model import ColumnSpec

_SCALARS = {
    "int": "INTEGER",
    "long": "BIGINT",
    "float": "DOUBLE",  # the engine writes a float column as a double (plan/columns.py)
    "double": "DOUBLE",
    "string": "VARCHAR",
    "datetime": "TIMESTAMP",  # UTC, zone-less inside DuckDB (see expr/duck.py)
    "date": "DATE",
    "bool": "BOOLEAN",
}


def sql_type(col: ColumnSpec, is_key: bool = False) -> str:
    """The DuckDB type of `col` as the engine writes it: keys are 64-bit (plan/columns.py)."""
    if is_key:
        return "BIGINT"
    if col.type == "decimal":
        scale = col.scale if col.scale is not None else 2
        return f"DECIMAL({col.precision or 10}, {scale})"
    if col.type == "array":
        assert col.items is not None
        return f"{sql_type(col.items)}[]"
    if col.type == "map":
        assert col.map_keys is not None and col.map_values is not None
        return f"MAP({sql_type(col.map_keys)}, {sql_type(col.map_values)})"
    return _SCALARS[col.type]
