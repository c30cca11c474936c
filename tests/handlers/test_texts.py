"""The text catalogs: the same keys and placeholders in both languages, a text for every
member of every family of texts, and no text key built in a way this cannot check."""

from __future__ import annotations

import re
import string
from pathlib import Path

from bot.ui.families import FAMILIES
from bot.ui.texts import CATALOGS

ROOT = Path(__file__).parents[2]


def test_every_member_of_every_family_has_a_text_in_both_languages() -> None:
    for language, catalog in CATALOGS.items():
        for family, members in FAMILIES.items():
            for member in members:
                assert f"{family}.{member}" in catalog, (language, family, member)


def test_text_keys_are_never_built_with_f_strings() -> None:
    """A key made with an f-string escapes the check above: `t.of(family, member)`."""
    built = re.compile(r"""\b(?:t|texts|chosen)(?:\.raw)?\(\s*f["']""")
    for folder in ("bot", "handlers"):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            assert not built.search(text), path


def test_every_family_looked_up_is_listed() -> None:
    used = re.compile(r"""\.of\(\s*["']([a-z_]+)["']""")
    for folder in ("bot", "handlers"):
        for path in (ROOT / folder).rglob("*.py"):
            for family in used.findall(path.read_text(encoding="utf-8")):
                assert family in FAMILIES, (path, family)


def test_the_catalogs_hold_no_key_of_a_family_that_is_not_a_member() -> None:
    for catalog in CATALOGS.values():
        for key in catalog:
            family, _, member = key.partition(".")
            if family in FAMILIES:
                assert member in FAMILIES[family], key


def test_both_catalogs_have_the_same_keys() -> None:
    assert set(CATALOGS["ru"]) == set(CATALOGS["en"])


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_both_catalogs_use_the_same_placeholders() -> None:
    for key, text in CATALOGS["en"].items():
        assert _fields(text) == _fields(CATALOGS["ru"][key]), key
