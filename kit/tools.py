"""Host tools the kit runs, and the Debian package that provides each."""
import os

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
    "valgrind": "valgrind",
}


def which(tool: str) -> str | None:
    """shutil.which() for a plain name, without importing shutil (and the
    compression modules it pulls in): a no-op build looks up two tools."""
    for directory in os.environ.get("PATH", os.defpath).split(os.pathsep):
        path = os.path.join(directory or ".", tool)
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


def require(tool: str) -> str:
    """Return the tool's path, or fail naming the Debian package to install."""
    path = which(tool)
    if path is None:
        pkg = PACKAGES.get(tool, tool)
        raise KitError(f"host tool '{tool}' not found: install the Debian package "
                       f"'{pkg}' (or run ci/setup.sh)")
    return path
