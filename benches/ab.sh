#!/usr/bin/env bash
# Two or more traineval binaries in alternating rounds on one generated input set:
#
#   bash benches/ab.sh IN ROUNDS BIN...
#
# IN is a folder of canonical CSV inputs (`traineval generate --out IN --cadres N --seed 1
# --enrollments-per-cadre 1.2`). Each round runs every BIN's `build`, `indicators` and
# `report` into a fresh folder under ${AB_WORK:-/tmp/traineval-ab}, after a `sync`, and
# prints one line per stage: round, binary, stage, wall s, user s, sys s, peak RSS KiB
# and the 1-minute load average at its start. Alternating cancels the drift in the
# machine's speed that single runs on a shared VM suffer; compare medians of the rounds.
set -euo pipefail
in=$1 rounds=$2
shift 2
work=${AB_WORK:-/tmp/traineval-ab}
mkdir -p "$work"
for r in $(seq 1 "$rounds"); do
    for bin in "$@"; do
        name=$(basename "$bin")
        out="$work/$name"
        rm -rf "$out"
        sync
        for stage in build indicators report; do
            load=$(cut -d' ' -f1 /proc/loadavg)
            /usr/bin/time -f "$r $name $stage %e %U %S %M load=$load" "$bin" "$stage" "$in" --out "$out" -q \
                2>&1 >/dev/null | tail -1
        done
    done
done
