"""Fail when a module outgrows what a reader holds in mind: listeners 300 lines, any other module 500."""

from __future__ import annotations

import sys
from pathlib import Path

LISTENER_LIMIT = 300
MODULE_LIMIT = 500


def main() -> int:
    """Print every module over its limit and return 1 if there is one."""
    root = Path(__file__).resolve().parent.parent
    over = []
    for path in sorted([*root.glob("bot/**/*.py"), *root.glob("handlers/**/*.py"), *root.glob("store/**/*.py")]):
        if "migrations" in path.parts:
            continue
        lines = len(path.read_text(encoding="utf-8").splitlines())
        limit = LISTENER_LIMIT if path.relative_to(root).parts[0] == "handlers" else MODULE_LIMIT
        if lines > limit:
            over.append(f"{path.relative_to(root)}: {lines} lines (at most {limit})")
    for line in over:
        print(line)
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
