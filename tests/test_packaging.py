"""What ``pip install .`` ships: every package of the library, and the templates.

The tests run against whatever is importable; an editable install finds every folder
of the checkout, a real install only what pyproject.toml lists. A package missing from
the list passes every test here and breaks every command for a user (it once did).
"""

from __future__ import annotations

import tomllib

from conftest import REPO


def test_every_package_of_the_library_is_installed() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {
        ".".join(folder.relative_to(REPO).parts)
        for folder in [REPO / "vaultcrm", *(REPO / "vaultcrm").rglob("*")]
        if folder.is_dir() and any(folder.glob("*.py")) and "__pycache__" not in folder.parts
    }
    assert found <= listed, f"not installed by pip: {sorted(found - listed)}"
    assert "vaultcrm.templates" in listed


def test_the_templates_are_package_data() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))
    tool = config["tool"]["setuptools"]
    assert tool["package-dir"]["vaultcrm.templates"] == "templates"
    assert "*.j2" in tool["package-data"]["vaultcrm.templates"]
    assert {p.name for p in (REPO / "templates").glob("*.j2")} >= {
        "prep.md.j2",
        "prep.html.j2",
        "brief.md.j2",
        "person.md.j2",
    }
