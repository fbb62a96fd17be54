#!/bin/sh
# Every preset's suites natively under ASan+UBSan, and each SMP preset's under
# ThreadSanitizer too (its CPUs are threads there): the CI job "host"
# (.github/workflows/mmkit.yml).  Logs: build/host/<preset>/host*-test.log.
# Runs them all, then fails naming every preset that failed.
set -u
cd "$(dirname "$0")/.."
PY=/usr/bin/python3
failed=""
for f in configs/*.config; do
    p=$(basename "$f" .config)
    out=build/host/$p
    $PY build.py defconfig "$p" -O "$out" >/dev/null || { failed="$failed $p"; continue; }
    $PY build.py test --host -O "$out" || failed="$failed $p"
    if grep -q '^CONFIG_SMP=y' "$out/.config"; then
        $PY build.py test --host --tsan -O "$out" || failed="$failed $p(tsan)"
    fi
done
if [ -n "$failed" ]; then
    echo "host-sanitizers: FAILED:$failed"
    exit 1
fi
echo "host-sanitizers: every preset passed"
