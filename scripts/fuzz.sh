#!/usr/bin/env bash
# Fuzz yibiao's importers, config parsers, search query and validators with cargo-fuzz.
#
#   scripts/fuzz.sh                 # every target, 600 s each, one after another
#   scripts/fuzz.sh json_import 60  # one target for 60 s
#
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). The committed seed
# corpus (tests/fuzz/corpus/TARGET) is read, never written: new inputs go to
# tests/fuzz/target/corpus/TARGET (git-ignored); a crash is saved under tests/fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
targets=(json_import csv_import xlsx_import keymap theme search_query validators)
if [[ $# -ge 1 ]]; then targets=("$1"); fi
seconds="${2:-600}"
for t in "${targets[@]}"; do
    work="tests/fuzz/target/corpus/$t"
    mkdir -p "$work"
    echo "== $t ($seconds s)"
    cargo +nightly fuzz run --fuzz-dir tests/fuzz "$t" "$work" "tests/fuzz/corpus/$t" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1
done
