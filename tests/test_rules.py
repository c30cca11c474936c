"""docs/rules.md is where every rule number resolves: each number the code, the tests,
the SQL or the docs cite has its entry there, and each test named there exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parents[1]
RULES = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
_CITED = re.compile(r"\bR(\d{1,2})\b")
_ENTRY = re.compile(r"^### R(\d+) ", re.MULTILINE)


def _cited_in(paths: list[Path]) -> dict[int, Path]:
    found: dict[int, Path] = {}
    for path in paths:
        for number in _CITED.findall(path.read_text(encoding="utf-8")):
            found.setdefault(int(number), path)
    return found


def test_every_rule_number_cited_has_its_entry() -> None:
    sources = [
        p
        for folder in ("bot", "handlers", "states", "storage", "tests", "benchmarks", "docs")
        for p in (ROOT / folder).rglob("*")
        if p.suffix in {".py", ".sql", ".md"} and p.name != "rules.md"
    ]
    sources += [ROOT / "README.md", ROOT / ".env.example"]
    entries = {int(n) for n in _ENTRY.findall(RULES)}
    for number, where in _cited_in(sources).items():
        assert number in entries, f"R{number} (cited in {where.relative_to(ROOT)})"


def test_the_entries_are_numbered_in_order_without_gaps() -> None:
    numbers = [int(n) for n in _ENTRY.findall(RULES)]
    assert numbers == list(range(1, len(numbers) + 1))


def test_every_test_named_in_the_rules_exists() -> None:
    for path in re.findall(r"`(tests/[\w/]+\.py)`", RULES):
        assert (ROOT / path).exists(), path
    for name in re.findall(r"`(test_\w+)`", RULES):
        defined = re.compile(rf"def {name}\(")
        assert any(
            defined.search(p.read_text(encoding="utf-8")) for p in (ROOT / "tests").rglob("*.py")
        ), name
