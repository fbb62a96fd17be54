#!/bin/sh
# Install every host dependency of mmkit from Debian 12 packages.
# Safe to run twice: apt-get skips what is already installed.
set -eu

PACKAGES="
ninja-build
gcc
libc6-dev
gcc-riscv64-unknown-elf
binutils-riscv64-unknown-elf
qemu-system-misc
qemu-system-x86
lcov
python3
python3-kconfiglib
python3-jinja2
python3-pytest
python3-junitparser
ccache
gdb-multiarch
lld
tmux
valgrind
liblz4-dev
clang
libclang-rt-14-dev
libjemalloc-dev
libmimalloc-dev
libgoogle-perftools-dev
"

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    echo "setup: all packages present"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
echo "setup: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
echo "setup: done"
