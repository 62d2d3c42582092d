"""Fetch axe-core, the accessibility engine browsers' tools use, from the npm registry (pinned), once.

    python tools/axe.py [DEST]     # default build/axe; prints the path of axe.min.js
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VERSION = "4.10.3"


def fetch(dest: Path) -> Path:
    script = dest / f"axe-core-{VERSION}.min.js"
    if script.exists():
        return script
    dest.mkdir(parents=True, exist_ok=True)
    command = ["npm", "pack", "--silent", "--pack-destination", str(dest), f"axe-core@{VERSION}"]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, timeout=300)
    with tarfile.open(dest / f"axe-core-{VERSION}.tgz") as tar:
        member = tar.extractfile("package/axe.min.js")
        assert member is not None
        script.write_bytes(member.read())
    return script


if __name__ == "__main__":
    print(fetch(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build" / "axe"))
