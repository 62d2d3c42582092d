"""The package layout is checked, not hoped for: the import-linter contracts hold and modules stay small."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "pipeline"
GENERATED = {"_linebreak_data.py", "_linebreak_pairs.py"}  # Unicode tables written by tools/


def test_import_linter_contracts_are_kept() -> None:
    lint_imports = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint_imports, "import-linter is part of the test dependencies"
    done = subprocess.run(
        [lint_imports, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Contracts: 5 kept, 0 broken." in done.stdout


def test_no_hand_written_module_is_much_above_400_lines() -> None:
    sizes = {
        str(path.relative_to(ROOT)): len(path.read_text(encoding="utf-8").splitlines())
        for path in PACKAGE.rglob("*.py")
        if path.name not in GENERATED
    }
    assert len(sizes) > 30
    assert {name: n for name, n in sizes.items() if n > 420} == {}


def test_the_cli_holds_no_stage_logic() -> None:
    """cli.py parses, calls a stage and prints: it opens no file and reads no catalogue itself."""
    text = (PACKAGE / "cli.py").read_text(encoding="utf-8")
    for needle in ("load_catalogue", "save_catalogue", "open(", ".read_text(", ".write_text(", "po_path("):
        assert needle not in text, needle
