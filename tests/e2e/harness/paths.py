"""Where the repository, its scripts and the binary under test are."""
from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]
SCRIPTS = REPO_ROOT / "scripts"
ENGINE_LIB = SCRIPTS / "lib" / "engine.sh"
BUILD_IMAGES = SCRIPTS / "build-images.sh"
EXAMPLES = REPO_ROOT / "examples"


def outpost_binary() -> Path:
    """OUTPOST_BIN if set (relative to the repository), else build/ci/outpost (where scripts/test.sh builds)."""
    configured = os.environ.get("OUTPOST_BIN", "build/ci/outpost")
    path = Path(configured)
    return path if path.is_absolute() else REPO_ROOT / path
