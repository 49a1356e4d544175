"""Column types and every optional column key (DESIGN §3): what loads, what is refused, where."""

from __future__ import annotations

import textwrap

import pytest

from streamforge.spec.model import ColumnSpec

from .conftest import errors_of

HEAD = "table: t\ntype: dimension\nnum_rows: 5\ncolumns:\n  t_id: int\n"
FIRST_LINE = 6  # the line of the column under test: right after HEAD


def one_column_file(body: str) -> str:
    """HEAD plus column `a`: a one-line body stays inline, a block body goes below `a:`."""
    body = textwrap.dedent(body).strip("\n")
    text = f"a:\n{textwrap.indent(body, '  ')}\n" if "\n" in body else f"a: {body}\n"
    return HEAD + textwrap.indent(text, "  ")


@pytest.fixture
def column(load_ok):
    """Load one column `a` given its YAML (shorthand or block form) and return its ColumnSpec."""

    def run(body: str) -> ColumnSpec:
        spec = load_ok({"t": one_column_file(body)})
        return spec.tables[0].column("a")

    return run


@pytest.fixture
def problem(load):
    """Load one column `a` that must be refused; return the single error as `line: text`."""

    def run(body: str) -> str:
        spec, issues = load({"t": one_column_file(body)})
        errors = errors_of(issues)
        assert len(errors) == 1, "\n".join(map(str, issues)) or "no error"
        assert spec.tables == ()
        assert errors[0].file.endswith("t.yml")
        return f"{errors[0].line}: {errors[0].message}; {errors[0].hint}"

    return run


@pytest.mark.parametrize(
    ("written", "kind"),
    [
        ("int", "int"),
        ("long", "long"),
        ("float", "float"),
        ("double", "double"),
        ("string", "string"),
        ("datetime", "datetime"),
        ("date", "date"),
        ("bool", "bool"),
        ("integer", "int"),
        ("bigint", "long"),
        ("timestamp", "datetime"),
        ("boolean", "bool"),
        ("str", "string"),
        ("text", "string"),
        ("String", "string"),
    ],
)
def test_scalar_types_and_aliases(column, written, kind):
    assert column(written).type == kind
    assert column(f"{{type: {written}}}").type == kind


@pytest.mark.parametrize(
    ("written", "precision", "scale"),
    [("decimal(12,3)", 12, 3), ("decimal( 38 , 0 )", 38, 0), ("decimal", 10, 2)],
)
def test_decimal_precision_and_scale(column, written, precision, scale):
    col = column(f'"{written}"')
    assert (col.type, col.precision, col.scale) == ("decimal", precision, scale)


@pytest.mark.parametrize("written", ["decimal(40,2)", "decimal(5,6)", "decimal(0,0)"])
def test_decimal_out_of_range_is_refused(problem, written):
    assert "out of range" in problem(written)


@pytest.mark.parametrize(("typo", "meant"), [("strng", "string"), ("floot", "float")])
def test_unknown_type_suggests_the_closest(problem, typo, meant):
    assert problem(typo) == (
        f"{FIRST_LINE}: column 'a': unknown type '{typo}'; did you mean '{meant}'?"
    )
    assert problem(f"{{type: {typo}}}").endswith(f"did you mean '{meant}'?")


def test_array_items_shorthand_and_mapping(column):
    short = column("{type: array, items: string}")
    assert short.type == "array" and short.items.type == "string"
    full = column(
        """
        type: array
        items: {type: string, format: "FDR-###"}
        min_items: 2
        max_items: 4
        """
    )
    assert (full.items.type, full.items.format) == ("string", "FDR-###")
    assert (full.min_items, full.max_items) == (2, 4)
    assert column("{type: list, items: int}").items.type == "int"


def test_array_without_items_or_as_shorthand_is_refused(problem):
    assert "items" in problem("{type: array}")
    assert "mapping form" in problem("array")
    assert "min_items (3) is larger than max_items (1)" in problem(
        "{type: array, items: int, min_items: 3, max_items: 1}"
    )


def test_map_keys_and_values(column):
    col = column(
        """
        type: map
        keys: string
        values: {type: float, min: 1, max: 2, decimals: 1}
        """
    )
    assert col.type == "map" and col.values is None  # `values` of a map is its value type
    assert col.map_keys.type == "string"
    assert (col.map_values.type, col.map_values.min, col.map_values.max) == ("float", 1, 2)


def test_map_needs_keys_and_values(problem):
    assert "keys" in problem("{type: map, keys: string}")
    assert "needs the mapping form" in problem("map")


def test_string_formats_are_kept_and_pipes_give_choices(column):
    assert column('{type: string, format: "MTR-####-????"}').format == "MTR-####-????"
    assert column('{type: string, format: "MTR-####-????"}').choices is None
    assert column('{type: string, format: "RES|COM|IND"}').choices == ("RES", "COM", "IND")


def test_numbers_and_distributions(column):
    col = column(
        """
        type: float
        min: 0.5
        max: 150
        decimals: 3
        distribution: lognormal
        mean: 1.2
        stddev: 0.4
        """
    )
    assert (col.min, col.max, col.decimals) == (0.5, 150, 3)
    assert (col.distribution, col.mean, col.stddev) == ("lognormal", 1.2, 0.4)
    assert column("{type: int, distribution: zipf, skew: 1.5}").skew == 1.5
    assert (
        column("{type: long, distribution: exponential, mean: 800}").distribution == "exponential"
    )
    assert column("{type: double, distribution: normal}").distribution == "normal"
    assert column("int").distribution == "uniform"


def test_date_bounds_are_iso_text(column):
    col = column('{type: date, min: "2005-01-01", max: "2025-06-30"}')
    assert (col.min, col.max) == ("2005-01-01", "2025-06-30")


def test_unquoted_yaml_dates_are_accepted_as_bounds(column):
    # YAML reads 2020-01-01 as a date object; a data engineer writes it unquoted
    col = column("{type: datetime, min: 2020-01-01, max: 2021-06-30}")
    assert str(col.min).startswith("2020-01-01") and str(col.max).startswith("2021-06-30")


def test_values_with_weights_and_every_other_key(column):
    col = column(
        """
        type: string
        values: [STANDARD, BUDGET, PREPAID]
        weights: [0.6, 0.3, 0.1]
        null_rate: 0.04
        anomaly_rate: 0.01
        expect: drop
        description: Payment plan
        """
    )
    assert col.values == col.choices == ("STANDARD", "BUDGET", "PREPAID")
    assert col.weights == (0.6, 0.3, 0.1)
    assert (col.null_rate, col.anomaly_rate, col.expect) == (0.04, 0.01, "drop")
    assert col.description == "Payment plan"
    assert column("{type: bool, values: [true, false], weights: [2, 1]}").values == (True, False)


def test_unique_references_faker(column):
    assert column('{type: string, format: "PLT-####", unique: true}').unique
    assert column("{type: int, references: customer.customer_id}").references == (
        "customer.customer_id"
    )
    assert column("{type: string, faker: company}").faker == "company"
    assert column("string").unique is False and column("string").null_rate == 0.0


def test_refusals_point_at_the_offending_key(problem):
    body = """
        type: int
        min: 50
        max: 10
        """
    # `a:` is on line 6, `type:` on line 7
    assert problem(body) == "8: column 'a': min (50) is larger than max (10); None"
    assert problem('{type: date, min: "2021-01-01", max: "2020-01-01"}').startswith(
        f"{FIRST_LINE}: column 'a': min (2021-01-01) is larger than max"
    )
    fmt = problem(
        """
        type: int
        format: "###"
        """
    )
    assert fmt.startswith("8: column 'a': format applies to string columns, not to int")
    rate = problem(
        """
        type: float
        null_rate: 1.5
        """
    )
    assert rate.startswith("8: ")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "{type: string, values: [A, B, C], weights: [1, 2]}",
            "weights has 2 entries but values has 3",
        ),
        ("{type: int, weights: [1, 2]}", "weights need a values list"),
        ("{type: string, values: [A, B], weights: [0, 0]}", "add up to more than 0"),
        ("{type: float, unique: true}", "unique applies to int, long and string, not float"),
        ('{type: string, format: "A|B", unique: true}', "unique does not apply"),
        ("{type: int, references: customer}", "must be written as <table>.<column>"),
        ("{type: int, references: Customer.ID}", "must be written as <table>.<column>"),
        ("{type: int, values: [1, two]}", "value 'two' is not a"),
        ("{type: bool, values: [1, 0]}", "value 1 is not a bool"),
        ("{type: int, values: [1.5]}", "value 1.5 is not a"),
        ("{type: string, values: []}", "values of column 'a' is empty"),
        ("{type: string, values: RED}", "must be a list"),
        ("{type: string, distribution: normal}", "distribution applies to numeric columns"),
        ("{type: string, sequence: true}", "sequence: true needs an int or long column"),
        ("{type: int, decimals: 2}", "decimals apply to float, double and decimal"),
        ("{type: int, faker: city}", "faker applies to string columns"),
        ("{type: string, min: 1}", "min applies to numbers, dates and datetimes"),
        ('{type: date, min: "2020-13-01"}', "is not an ISO-8601 date"),
        ('{type: string, format: ""}', "format is empty"),
        ("{typ: string}", "unknown key 'typ' in column 'a'"),  # one mistake, one message
        ("", "column 'a' has no type"),
        ("[1, 2]", "must be a type name or a mapping"),
    ],
)
def test_refused_columns(problem, body, expected):
    assert expected in problem(body)


def test_unknown_column_key_and_faker_provider_suggest_a_fix(problem):
    assert problem("{type: string, fromat: X}") == (
        f"{FIRST_LINE}: unknown key 'fromat' in column 'a'; did you mean 'format'?"
    )
    assert problem("{type: string, faker: emial}") == (
        f"{FIRST_LINE}: column 'a': unknown Faker provider 'emial'; did you mean 'email'?"
    )


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("null_rate", "1.5"),
        ("anomaly_rate", "2"),
        ("skew", "0.5"),
        ("expect", "ignore"),
        ("distribution", "poisson"),
    ],
)
def test_out_of_range_option_names_its_key(problem, key, value):
    """STYLE: every error names the key; `Input should be ...` alone does not say which one."""
    kind = "string" if key == "expect" else "float"
    message = problem(f"{{type: {kind}, {key}: {value}}}")
    assert key in message, message


def test_every_bad_column_is_reported_not_just_the_first(load):
    _, issues = load(
        {"t": HEAD + "  a: strng\n  b: {type: int, min: 3, max: 1}\n  C: int\n  d: int\n"}
    )
    assert [(i.line, i.severity) for i in issues] == [(6, "error"), (7, "error"), (8, "error")]
    assert "not snake_case" in issues[2].message


KEY_CASES = [  # key: value, a type that takes it, and the message on one that does not (bool)
    ("format", '"AB-##"', "string", "format applies to string columns, not to bool"),
    ("decimals", "2", "float", "decimals apply to float, double and decimal, not bool"),
    ("distribution", "normal", "int", "distribution applies to numeric columns, not to bool"),
    # a sequence also needs a change feed (spec/sequence.py, its own tests): only refused here
    ("sequence", "true", None, "sequence: true needs an int or long column"),
    ("faker", "company", "string", "faker applies to string columns"),
    ("unique", "true", "int", "unique applies to int, long and string, not bool"),
]


@pytest.mark.parametrize(("key", "value", "takes", "message"), KEY_CASES)
def test_a_key_applies_only_to_its_types(column, problem, key, value, takes, message):
    """Issue 12.4: the table spec/key_applies.py decides, one loop reads it."""
    if takes is not None:
        assert column(f"type: {takes}\n{key}: {value}").type == takes
    refused = problem(f"type: bool\n{key}: {value}")
    assert message in refused and f"{key}" in refused


def test_every_type_bound_key_has_a_case():
    from streamforge.spec.key_applies import KEY_APPLIES

    assert [r.key for r in KEY_APPLIES] == [c[0] for c in KEY_CASES]
