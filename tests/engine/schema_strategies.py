"""Hypothesis strategies for random *valid* sectors, built from the schema language itself.

Every type (scalars, decimal(p,s) up to 38, arrays and maps nested), every column option (bounds up
to each type's limits, distributions with their parameters, values + weights, formats, Faker
providers, smart names, null_rate, anomaly_rate, expect, unique, sequence, min/max_items), every
table kind (dimensions, facts with foreign keys and event-time faults, change feeds with
operations), self-references. The strategies follow the documented rules, so a schema they draw
that `validate` refuses is a finding too (of the strategy or of the validator).
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import strategies as st

INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)
DISTRIBUTIONS = ("uniform", "normal", "lognormal", "exponential", "zipf")
FAKER = ("name", "email", "city", "company", "country", "job", "word", "ipv4", "iban")
SMART = ("name", "first_name", "email", "phone", "address", "city", "zip", "country", "company")
rates = st.sampled_from([0.0, 0.0, 0.01, 0.1, 0.5, 1.0])
fault_rates = st.sampled_from([0.0, 0.0, 0.02, 0.3, 0.9])


def sorted_pair(values: st.SearchStrategy) -> st.SearchStrategy:
    return st.tuples(values, values).map(sorted)


@st.composite
def numeric_options(draw: st.DrawFn, kind: str, low: int | float, high: int | float) -> dict:
    """Bounds inside [low, high] (the type's range) and a distribution with its parameters."""
    if kind in ("float", "double"):
        values = st.floats(low, high, allow_nan=False, allow_infinity=False)
    else:
        values = st.integers(int(low), int(high))
    options: dict = {}
    a, b = draw(sorted_pair(values))
    if draw(st.booleans()):
        options["min"] = a
    if draw(st.booleans()):
        options["max"] = b
    options["distribution"] = draw(st.sampled_from(DISTRIBUTIONS))
    if options["distribution"] in ("normal", "lognormal", "exponential") and draw(st.booleans()):
        options["mean"] = draw(values)
    if options["distribution"] in ("normal", "lognormal") and draw(st.booleans()):
        options["stddev"] = draw(st.floats(1e-6, 1e300))
    if options["distribution"] == "zipf" and draw(st.booleans()):
        options["skew"] = draw(st.floats(1.01, 10))
    return options


@st.composite
def number_column(draw: st.DrawFn, kind: str) -> dict:
    if kind == "int":
        low, high = INT32
    elif kind == "long":
        low, high = INT64
    elif kind == "decimal":
        precision = draw(st.integers(1, 38))
        scale = draw(st.integers(0, precision))
        top = 10 ** (precision - scale) - 1
        low, high = -top, top
        kind = f"decimal({precision},{scale})"
    else:
        low, high = -1.7e308, 1.7e308
    small = draw(st.booleans())  # most real columns have modest bounds
    if small:
        low, high = max(low, -1000), min(high, 1000)
    spec: dict = {"type": kind}
    if draw(st.integers(0, 4)) == 0:  # categories instead of a range
        pick = st.integers(int(low), int(high)) if kind != "float" else st.integers(-1000, 1000)
        values = draw(st.lists(pick, min_size=1, max_size=5, unique=True))
        spec["values"] = values
        if draw(st.booleans()):
            spec["weights"] = draw(
                st.lists(st.floats(0.01, 100), min_size=len(values), max_size=len(values))
            )
        return spec
    spec.update(draw(numeric_options(kind, low, high)))
    fractional = kind in ("float", "double") or kind.startswith("decimal")
    if fractional and draw(st.booleans()):
        spec["decimals"] = draw(st.integers(0, 10))
    if kind in ("int", "long") and draw(st.integers(0, 5)) == 0:
        spec["unique"] = True
    return spec


@st.composite
def pattern(draw: st.DrawFn) -> str:
    parts = draw(
        st.lists(st.sampled_from(["#", "?", "-", "A", "x", "##", "??"]), min_size=1, max_size=12)
    )
    return "".join(parts)


@st.composite
def string_column(draw: st.DrawFn) -> dict:
    choice = draw(st.integers(0, 5))
    if choice == 0:
        text = pattern()
        spec = {"type": "string", "format": draw(text)}
        if any(c in spec["format"] for c in "#?") and draw(st.booleans()):
            spec["unique"] = True
        return spec
    if choice == 1:
        words = draw(
            st.lists(
                st.sampled_from(["RED", "GREEN", "NO", "010", "06:30", "x y"]),
                min_size=1,
                max_size=4,
                unique=True,
            )
        )
        return (
            {"type": "string", "format": "|".join(words)}
            if len(words) > 1
            else {"type": "string", "values": words}
        )
    if choice == 2:
        values = draw(
            st.lists(
                st.text("abcXYZ09 _-", min_size=1, max_size=6), min_size=1, max_size=5, unique=True
            )
        )
        spec = {"type": "string", "values": values}
        if draw(st.booleans()):
            spec["weights"] = draw(
                st.lists(st.floats(0, 10), min_size=len(values), max_size=len(values)).filter(
                    lambda w: sum(w) > 0
                )
            )
        return spec
    if choice == 3:
        return {"type": "string", "faker": draw(st.sampled_from(FAKER))}
    return {"type": "string", "unique": True} if choice == 4 else {"type": "string"}


@st.composite
def time_column(draw: st.DrawFn, kind: str) -> dict:
    spec: dict = {"type": kind}
    far = draw(st.booleans())
    first = date(1, 1, 1) if far else date(1950, 1, 1)
    last = date(9999, 12, 31) if far else date(2100, 1, 1)
    days = st.integers(0, (last - first).days).map(lambda d: first + timedelta(days=d))
    a, b = draw(sorted_pair(days))
    text = (lambda d: d.isoformat()) if kind == "date" else (lambda d: f"{d.isoformat()}T00:00:00Z")
    if draw(st.integers(0, 4)) == 0:
        spec["values"] = [text(a), text(b)] if a != b else [text(a)]
        return spec
    if draw(st.booleans()):
        spec["min"] = text(a)
    if draw(st.booleans()):
        spec["max"] = text(b)
    return spec


def scalar_column() -> st.SearchStrategy[dict]:
    return st.one_of(
        number_column("int"),
        number_column("long"),
        number_column("float"),
        number_column("double"),
        number_column("decimal"),
        string_column(),
        time_column("date"),
        time_column("datetime"),
        st.just({"type": "bool"}),
    )


@st.composite
def collection_column(draw: st.DrawFn, depth: int = 0) -> dict:
    inner = (
        scalar_column() if depth >= 1 else st.one_of(scalar_column(), collection_column(depth + 1))
    )
    element = draw(inner.map(_without_unique))
    low = draw(st.integers(0, 3))
    high = draw(st.integers(low, 4 if depth else 8))
    if draw(st.booleans()):
        low = min(low, _distinct_elements(element))  # one list never repeats a value of a set
        return {"type": "array", "items": element, "min_items": low, "max_items": high}
    keys = draw(
        st.one_of(
            st.just({"type": "string"}),
            st.just({"type": "string", "format": "K-##"}),
            st.just({"type": "bool"}),
            st.just({"type": "int", "min": 1, "max": 50}),
            st.just({"type": "long"}),
            st.just({"type": "string", "values": ["a", "b", "c", "d", "e", "f", "g", "h"]}),
            st.just({"type": "string", "faker": "city"}),
        )
    )
    bool_keys = keys["type"] == "bool"
    high = min(high, 2) if bool_keys else high
    low = min(low, high)
    return {"type": "map", "keys": keys, "values": element, "min_items": low, "max_items": high}


def _distinct_elements(element: dict) -> int:
    """At most how many distinct values an array element drawn from a set has (validate refuses a
    `min_items` above it); a large number when the element is not drawn from a set. Counted low
    (1 and 1.0 may be one value), which only narrows what the strategy draws."""
    if "values" in element:
        return len({str(v).lower().rstrip("0").rstrip(".") for v in element["values"]})
    pattern = element.get("format")
    if pattern is None:
        return 1 << 30
    if "|" in pattern:
        return len(set(pattern.split("|")))
    return 10 ** pattern.count("#") * 26 ** pattern.count("?")


def _without_unique(spec: dict) -> dict:
    return {k: v for k, v in spec.items() if k != "unique"}


@st.composite
def attribute(draw: st.DrawFn) -> dict:
    spec = draw(st.one_of(scalar_column(), scalar_column(), collection_column()))
    has_rule = "min" in spec or "max" in spec or "values" in spec or "|" in spec.get("format", "")
    if draw(st.booleans()):
        spec["null_rate"] = draw(rates)
    if draw(st.booleans()) and not spec.get("unique"):
        spec["anomaly_rate"] = draw(rates.filter(lambda r: r < 1))
        if spec.get("null_rate") and not has_rule:
            spec.pop("null_rate")  # anomalies would be nulls too: validate refuses it, rightly
        spec["expect"] = draw(st.sampled_from(["warn", "drop", "fail"]))
    if draw(st.integers(0, 5)) == 0:
        spec["description"] = "a column"
    return spec


@st.composite
def attributes(draw: st.DrawFn, rows: int) -> dict[str, dict]:
    count = draw(st.integers(0, 5))
    columns: dict[str, dict] = {}
    for i in range(count):
        name = draw(st.sampled_from(SMART)) if draw(st.integers(0, 4)) == 0 else f"c{i}"
        if name in columns:
            name = f"c{i}"
        spec = draw(attribute())
        if spec.get("unique") and not _room_for(spec, rows):
            spec.pop("unique")
        columns[name] = spec
    return columns


def _room_for(spec: dict, rows: int) -> bool:
    """A unique dimension column needs as many distinct values as rows (validate checks it)."""
    if "format" in spec:
        return 10 ** spec["format"].count("#") * 26 ** spec["format"].count("?") >= rows * 4
    low = spec.get("min", 1)
    high = spec.get("max", max(low, 9999 if spec["type"] == "int" else 10**9))
    return high - low + 1 >= rows * 4


@st.composite
def sectors(draw: st.DrawFn) -> dict[str, dict]:
    """{table name: YAML body}: 1-3 dimensions, facts referencing them, change feeds."""
    tables: dict[str, dict] = {}
    dims = draw(st.integers(1, 3))
    for i in range(dims):
        rows = draw(st.integers(1, 40))
        columns = {f"d{i}_id": draw(st.sampled_from(["int", "long"]))}
        columns.update(draw(attributes(rows)))
        if draw(st.integers(0, 4)) == 0:
            columns[f"parent{i}_id"] = {"type": "long", "references": f"d{i}.d{i}_id"}
        tables[f"d{i}"] = {"type": "dimension", "num_rows": rows, "columns": columns}
        if draw(st.integers(0, 2)) == 0:
            tables[f"d{i}_changes"] = draw(change_feed(i, columns))
    owned = draw(st.integers(0, 3)) == 0
    if owned:  # a change feed whose entity has no dimension file: it owns the entity
        columns = {"e_id": "long", "op": {"type": "string", "format": "INSERT|UPDATE|DELETE"}}
        columns.update(draw(attributes(1000)))
        tables["e_changes"] = {"type": "change_feed", "num_rows": draw(st.integers(1, 30)),
                               "columns": columns}  # fmt: skip
    for j in range(draw(st.integers(0, 2))):
        rows = draw(st.integers(1, 60))
        columns = {f"f{j}_id": "long"}
        if owned and draw(st.booleans()):
            columns["e_id"] = "long"  # a foreign key into the feed's own entity
        for i in draw(st.sets(st.integers(0, dims - 1))):
            columns[f"d{i}_id" if draw(st.booleans()) else f"ref{i}"] = {
                "type": "long",
                "references": f"d{i}.d{i}_id",
            } | _fk_options(draw)
        event: dict = {"type": "datetime"}
        if draw(st.booleans()):
            event["null_rate"] = draw(rates.filter(lambda r: r < 1))
        columns["event_time"] = event
        columns.update(draw(attributes(rows)))
        body: dict = {"type": "fact", "num_rows": rows, "columns": columns}
        if draw(st.booleans()):
            body["primary_key"] = f"f{j}_id"
            body["description"] = "a fact"
        for key in ("late_rate", "duplicate_rate", "out_of_order_rate"):
            if (rate := draw(fault_rates)) > 0:
                body[key] = rate
        tables[f"f{j}"] = body
    return tables


def _fk_options(draw: st.DrawFn) -> dict:
    # One or the other: an anomalous foreign key is a null, so both together are refused.
    choice = draw(st.sampled_from(["", "", "null_rate", "anomaly_rate"]))
    return {choice: draw(rates.filter(lambda r: r < 1))} if choice else {}


@st.composite
def change_feed(draw: st.DrawFn, i: int, dimension: dict) -> dict:
    columns: dict = {f"d{i}_id": dimension[f"d{i}_id"]}
    columns["change_type"] = {"type": "string", "values": ["INSERT", "UPDATE", "DELETE"]}
    if draw(st.booleans()):
        columns["changed_at"] = "datetime"
    sequence = draw(st.sampled_from(["", "sequence_num", "seq"]))
    if sequence:  # named sequence_num, or any name with sequence: true
        explicit = {"type": "long", "sequence": True}
        columns[sequence] = "long" if sequence == "sequence_num" else explicit
    if draw(st.booleans()):
        columns["changed_fields"] = {"type": "array", "items": "string"}
    for name in draw(st.sets(st.sampled_from(sorted(dimension)))):
        if name != f"d{i}_id":
            columns[name] = dimension[name]
    body: dict = {"type": "change_feed", "num_rows": draw(st.integers(1, 30)), "columns": columns}
    body["tracks"] = f"d{i}"
    if draw(st.booleans()):
        weights = st.sampled_from([0.0, 0.1, 1.0, 5.0])
        ops = {op: draw(weights) for op in ("INSERT", "UPDATE", "DELETE")}
        if sum(ops.values()) > 0:
            body["operations"] = ops
    for key in ("late_rate", "duplicate_rate", "out_of_order_rate"):
        if (rate := draw(fault_rates)) > 0:
            body[key] = rate
    return body
