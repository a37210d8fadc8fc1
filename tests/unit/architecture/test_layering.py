"""The dependency rule of ARCHITECTURE.md §1 is enforced, and the enforcement itself can fail."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import app
import events
import identifiers

REPO = Path(__file__).resolve().parents[3]
PACKAGES = ("app", "events", "identifiers", "label_printing", "api_spec")
LINT_IMPORTS = str(Path(sys.executable).with_name("lint-imports"))


def test_our_packages_are_the_ones_imported() -> None:
    """``app``, ``events``, ``identifiers`` are generic names: shadowing must fail loudly."""
    for package in (app, events, identifiers):
        assert Path(package.__file__ or "").resolve().is_relative_to(REPO)


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603  our own tool from the venv
        [LINT_IMPORTS, str(root / "setup.cfg"), "--no-cache"],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": ""},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def tree_copy(tmp_path: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(REPO / package, tmp_path / package, ignore=shutil.ignore_patterns("*.pyc"))
    shutil.copy(REPO / "setup.cfg", tmp_path / "setup.cfg")
    return tmp_path


@pytest.mark.slow
def test_contracts_hold_on_the_repository(tree_copy: Path) -> None:
    result = lint_imports(tree_copy)
    assert result.returncode == 0, result.stdout


@pytest.mark.slow
@pytest.mark.parametrize(
    ("module", "forbidden", "contract"),
    [
        ("identifiers/_breach.py", "import flask", "framework-free"),
        ("events/domain/_breach.py", "import sqlalchemy", "framework-free"),
        ("events/domain/_breach.py", "import events.adapters", "adapters above services"),
        ("identifiers/_breach.py", "import events", "Top-level layering"),
        ("app/_breach.py", "import sqlalchemy", "Only events.adapters talks to the database"),
        ("api_spec/_breach.py", "import identifiers", "api_spec is a leaf"),
    ],
)
def test_a_forbidden_import_breaks_the_build(
    tree_copy: Path, module: str, forbidden: str, contract: str
) -> None:
    (tree_copy / module).write_text(f"{forbidden}  # deliberate breach\n")
    result = lint_imports(tree_copy)
    assert result.returncode != 0
    assert contract in result.stdout
    assert "BROKEN" in result.stdout
