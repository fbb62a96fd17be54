"""Where things live in the source tree."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KCONFIG = ROOT / "Kconfig"
CONFIGS = ROOT / "configs"
TEMPLATES = ROOT / "templates"
KIT = ROOT / "kit"
BUILD = ROOT / "build"
SUITES_FILE = ROOT / "tests" / "kernel" / "suites.toml"
# The out dir the last `defconfig` made; commands without -O use it.
CURRENT = BUILD / ".current"
