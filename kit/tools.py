"""Host tools the kit runs, and the Debian package that provides each."""
import shutil

from .errors import KitError

PACKAGES = {
    "ninja": "ninja-build",
    "gcc": "gcc",
    "riscv64-unknown-elf-gcc": "gcc-riscv64-unknown-elf",
    "riscv64-unknown-elf-objcopy": "binutils-riscv64-unknown-elf",
    "objcopy": "binutils",
    "qemu-system-riscv64": "qemu-system-misc",
    "qemu-system-x86_64": "qemu-system-x86",
    "lcov": "lcov",
    "genhtml": "lcov",
    "tmux": "tmux",
}


def require(tool: str) -> str:
    """Return the tool's path, or fail naming the Debian package to install."""
    path = shutil.which(tool)
    if path is None:
        pkg = PACKAGES.get(tool, tool)
        raise KitError(f"host tool '{tool}' not found: install the Debian package "
                       f"'{pkg}' (or run ci/setup.sh)")
    return path
