"""Where things live in the source tree, and where builds go."""
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KCONFIG = ROOT / "Kconfig"
CONFIGS = ROOT / "configs"
TEMPLATES = ROOT / "templates"
KIT = ROOT / "kit"
# Every default output directory is under here: build/ in the tree, or
# $MMKIT_BUILD_DIR (as kbuild's KBUILD_OUTPUT; the tests use it to stay out
# of the tree's build/).
BUILD = Path(os.environ.get("MMKIT_BUILD_DIR") or ROOT / "build").resolve()
SUITES_FILE = ROOT / "tests" / "kernel" / "suites.toml"
# The out dir the last `defconfig` made; commands without -O use it.
CURRENT = BUILD / ".current"


def config_name() -> str:
    """The configuration file's name in an output directory: .config, or
    $KCONFIG_CONFIG as kbuild and Kconfiglib take it (relative to the output
    directory, or absolute)."""
    return os.environ.get("KCONFIG_CONFIG") or ".config"
