"""The CLI prints user text as written (issue 11.3): `file.yml:100:` keeps its line number (rich
would make `:100:` an emoji) and a `[bold]` in a path or name is printed, not interpreted."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from streamforge.cli import main

ENV = {"COLUMNS": "200", "LINES": "25", "NO_COLOR": "1"}
ENV |= {"FORCE_COLOR": None, "TTY_COMPATIBLE": None}  # not a terminal, as in CI
MARKUP = "[bold]"


def run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args], env=ENV)


def sector_with_error_on_line_100(root: Path) -> Path:
    """schema/S[bold]x/site.yml whose line 99 warns and line 100 has an unknown type."""
    folder = root / f"dir{MARKUP}" / f"S{MARKUP}x"
    folder.mkdir(parents=True)
    lines = ["table: site", "type: dimension", "num_rows: 5", "columns:", "  site_id: int"]
    lines += [f"  c{n}: int" for n in range(len(lines) + 1, 99)]
    lines += ["  country: {type: string, values: [NO]}", "  bad: {type: strng}"]
    (folder / "site.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert (folder / "site.yml").read_text().splitlines()[99] == "  bad: {type: strng}"
    return folder


def test_validate_keeps_line_100_and_square_brackets(tmp_path):
    folder = sector_with_error_on_line_100(tmp_path)
    result = run("validate", folder.parent)
    assert result.exit_code == 2, result.output
    file = folder / "site.yml"
    expected = f"{file}:100: column 'bad': unknown type 'strng'; did you mean 'string'?"
    assert expected in result.stderr
    assert f"{file}:99: warning: country.values[0]: NO is read as" in result.stderr
    assert "\N{HUNDRED POINTS SYMBOL}" not in result.output + result.stderr
    assert f"S{MARKUP}x: invalid (1 file read, 1 failed to load, 1 error, 1 warning)" in (
        result.stdout
    )


def test_error_messages_keep_user_text(tmp_path):
    """A StreamForgeError whose message quotes user input (an unknown sector) prints it as is."""
    folder = sector_with_error_on_line_100(tmp_path)
    name = f"no:100:such{MARKUP}"
    result = run("generate", name, "--schema-dir", folder.parent, "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert f"unknown sector '{name}'" in result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_sectors_prints_names_and_descriptions_as_written(tmp_path):
    folder = tmp_path / f"S{MARKUP}y"
    folder.mkdir()
    (folder / "site.yml").write_text(
        f'table: site\ntype: dimension\nnum_rows: 5\ndescription: "at :100: {MARKUP}x"\n'
        "columns:\n  site_id: int\n"
    )
    result = run("sectors", "--schema-dir", tmp_path)
    assert result.exit_code == 0, result.output
    assert f"S{MARKUP}y" in result.stdout
    assert f"at :100: {MARKUP}x" in result.stdout
