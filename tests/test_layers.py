"""The layering of docs/architecture.md, checked on every import (also those inside a
function): nothing imports a layer above its own; the domain imports no framework or
driver; handlers never reach storage or the adapters."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).parents[1]
PACKAGES = ("bot", "handlers", "states", "storage")

# Lowest first. A module may import its own layer and the ones below it.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("bot.domain",),
    ("bot.safe_logging", "bot.concurrency", "states"),
    ("bot.ui", "storage"),
    ("bot.adapters", "bot.settings"),
    ("bot.telegram", "bot.jobs", "bot.support", "bot.dashboard"),
    ("handlers",),
    ("bot.app",),
    ("bot.runtime",),
    ("bot.__main__",),
)
# Besides the layers: what these never import, at any depth of their own code.
FORBIDDEN = {
    "bot.domain": ("aiogram", "aiosqlite", "asyncpg", "redis", "aiohttp", "sqlite3"),
    "handlers": ("storage", "bot.adapters", "bot.app", "bot.runtime"),
    "states": ("bot", "handlers", "storage"),
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            # `from bot import event_loop` imports the module bot.event_loop.
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def layer_of(module: str) -> int | None:
    for rank, prefixes in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return rank
    return None


def modules() -> list[tuple[str, Path]]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found.append((module_name(path), path))
    return found


def test_every_module_of_the_project_has_a_layer() -> None:
    for name, _ in modules():
        if name not in PACKAGES and name != "bot.adapters":
            assert layer_of(name) is not None, name


def test_nothing_imports_a_layer_above_its_own() -> None:
    for name, path in modules():
        own = layer_of(name)
        if own is None:
            continue
        for target in imported(path):
            rank = layer_of(target)
            assert rank is None or rank <= own, f"{name} imports {target}"


def test_the_domain_imports_no_framework_and_handlers_never_storage() -> None:
    for name, path in modules():
        for prefix, forbidden in FORBIDDEN.items():
            if name == prefix or name.startswith(prefix + "."):
                for target in imported(path):
                    assert not any(target == f or target.startswith(f + ".") for f in forbidden), (
                        f"{name} imports {target}"
                    )


def test_the_check_sees_an_upward_import(tmp_path: Path) -> None:
    source = tmp_path / "example.py"
    source.write_text("def f():\n    from bot.app import create_dispatcher\n")
    assert "bot.app" in imported(source)
    assert layer_of("bot.app") > layer_of("bot.domain.steps")  # type: ignore[operator]
