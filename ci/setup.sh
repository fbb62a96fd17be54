#!/bin/sh
# Install mmkit's host dependencies from Debian 12 packages.
# Safe to run twice: apt-get skips what is already installed.
#
#   ci/setup.sh                 every group (what .ci/run and a developer need)
#   ci/setup.sh GROUP...        only these groups (a CI job installs what it uses;
#                               .github/workflows/mmkit.yml names them per job)
#
# Groups:
#   base       build a variant and run it natively: Ninja, gcc (with the
#              sanitizers' runtimes), Python with Kconfiglib and Jinja2, ccache
#   riscv64    the riscv64 cross toolchain and QEMU
#   x86_64     QEMU for x86_64 (the compiler is base's gcc)
#   coverage   lcov and genhtml
#   tests      what the pytest suites use beyond the above: pytest, a JUnit
#              parser, a YAML reader, tmux (menuconfig), gdb, clang and lld,
#              liblz4 (the codec's interop tests), the real programs the
#              preload library runs (sqlite3, jq, lua5.4, xz) and CPython's
#              own tests
#   hostbench  the peer allocators hostbench compares with, and valgrind
#              (callgrind counts its instructions)
set -eu

group_packages() {
    case "$1" in
    base) echo "ninja-build gcc libc6-dev python3 python3-kconfiglib python3-jinja2 ccache" ;;
    riscv64) echo "gcc-riscv64-unknown-elf binutils-riscv64-unknown-elf qemu-system-misc" ;;
    x86_64) echo "qemu-system-x86" ;;
    coverage) echo "lcov" ;;
    tests) echo "python3-pytest python3-junitparser python3-yaml tmux gdb-multiarch clang lld
                 libclang-rt-14-dev liblz4-dev
                 sqlite3 jq lua5.4 xz-utils libpython3.11-testsuite" ;;
    hostbench) echo "libjemalloc-dev libmimalloc-dev libgoogle-perftools-dev valgrind" ;;
    *) echo "setup: unknown group '$1' (groups: $ALL_GROUPS)" >&2; exit 2 ;;
    esac
}

ALL_GROUPS="base riscv64 x86_64 coverage tests hostbench"
if [ $# -eq 0 ]; then
    set -- $ALL_GROUPS
fi

PACKAGES=""
for g in "$@"; do
    PACKAGES="$PACKAGES $(group_packages "$g")"
done

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    echo "setup: all packages present ($*)"
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
