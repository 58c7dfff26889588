#!/usr/bin/env bash
# Prints the performance table of the README: whole-process times of the release binary on
# generated stores, next to fzf where the comparison applies, plus the criterion benches of
# the engines, and the CSV import rate next to sqlite3's. Needs hyperfine, fzf and sqlite3
# (apt-get install hyperfine fzf sqlite3); takes a few minutes.
# Usage: scripts/bench.sh [SCALE]   (SCALE 161 ≈ 100,000 elements; default 161)
set -euo pipefail
cd "$(dirname "$0")/.."
scale="${1:-161}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cargo build --release --quiet
bin="$PWD/target/release/yibiao"
db="$work/store"

start=$(date +%s.%N)
"$bin" --db "$db" sample --scale "$scale" 2>/dev/null
end=$(date +%s.%N)
records=$("$bin" --db "$db" stats --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(sum(d[k] for k in ["regions","agencies","elements","items","materials","forms","bundles"]))')
elements=$("$bin" --db "$db" stats --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["elements"])')
printf '| measure | result |\n|---|---|\n'
secs=$(python3 -c "print('%.1f' % ($end - $start))")
rate=$(python3 -c "print('%.0f' % ($records / ($end - $start)))")
printf '| sample --scale %s: %s records (%s elements) written | %s s (%s records/s) |\n' \
  "$scale" "$records" "$elements" "$secs" "$rate"

# import rate: the 数据元 CSV table into a fresh store that holds only its regions and agencies
# (imported untimed before each run), next to sqlite3 `.import` of the same file
"$bin" --db "$db" export "$work/elements.csv" --kind element >/dev/null
"$bin" --db "$db" export "$work/regions.csv" --kind region >/dev/null
"$bin" --db "$db" export "$work/agencies.csv" --kind agency >/dev/null
fresh="$work/fresh"
seed="rm -rf $fresh $fresh.db && $bin --db $fresh import $work/regions.csv >/dev/null"
seed="$seed && $bin --db $fresh import $work/agencies.csv >/dev/null"
# import_rate PREPARE COMMAND: mean of 3 runs (PREPARE untimed before each) and elements/s
import_rate() {
    if ! hyperfine --warmup 1 --runs 3 --prepare "$1" --export-json "$work/h.json" "$2" >"$work/h.log" 2>&1; then
        cat "$work/h.log" >&2
        return 1
    fi
    python3 -c 'import json; m=json.load(open("'"$work"'/h.json"))["results"][0]["mean"]
print("%.2f s (%.0f records/s)" % (m, '"$elements"' / m))'
}
ours=$(import_rate "$seed" "$bin --db $fresh import $work/elements.csv --kind element")
theirs=$(import_rate "rm -f $fresh.db" "sqlite3 $fresh.db '.mode csv' '.import $work/elements.csv elements'")
printf '| `import` of the 数据元 CSV table (%s elements) into a fresh store | %s |\n' "$elements" "$ours"
printf '| `sqlite3` `.mode csv` + `.import` of the same CSV into a fresh database | %s |\n' "$theirs"

# the names fzf filters: every element's name and synonyms, one line each
"$bin" --db "$db" export - | python3 -c '
import json,sys
for e in json.load(sys.stdin)["elements"]:
    print(e["code"], e["name"], *e["synonyms"])' > "$work/names.txt"

json() { hyperfine --ignore-failure --warmup 1 --runs "${2:-5}" --export-json "$work/h.json" "$1" >/dev/null 2>&1
         python3 -c 'import json; r=json.load(open("'"$work"'/h.json"))["results"][0]; print("%.0f ms ± %.0f" % (r["mean"]*1000, r["stddev"]*1000))'; }
# json_without FILE COMMAND: as json, with the cache FILE removed before each run
json_without() { hyperfine --ignore-failure --runs 5 --prepare "rm -f $db/$1" --export-json "$work/h.json" "$2" >/dev/null 2>&1
                 python3 -c 'import json; r=json.load(open("'"$work"'/h.json"))["results"][0]; print("%.0f ms ± %.0f" % (r["mean"]*1000, r["stddev"]*1000))'; }
printf '| whole process `stats` (reads `stats.idx`) | %s |\n' "$(json "$bin --db $db stats")"
printf '| the same after a write (no `stats.idx`: counts the store'"'"'s records a kind at a time by `outline.idx` and `links.idx`, writes the cache) | %s |\n' "$(json_without stats.idx "$bin --db $db stats")"
printf '| whole process `form list spjy` (reads `outline.idx` and `lint.idx`) | %s |\n' "$(json "$bin --db $db form list spjy")"
printf '| whole process `element search sfzhm` (reads `search.idx`) | %s |\n' "$(json "$bin --db $db element search sfzhm")"
printf '| the same, first search after a write (no `search.idx`: reads the search tree, writes the cache) | %s |\n' "$(json_without search.idx "$bin --db $db element search sfzhm")"
read -r first tree loaded loaded_rss detail browse_rss < <(python3 scripts/first_frame.py "$bin" "$db" 5)
printf '| TUI start (120×40 pty): exec to the first frame | %s ms |\n' "$first"
printf '| TUI start: exec to pane 1'"'"'s tree, usable (drawn from `outline.idx` while the catalog loads) | %s ms |\n' "$tree"
printf '| TUI start: exec to the whole catalog loaded (`load_catalog = "at-start"`) | %s ms |\n' "$loaded"
printf '| TUI resident memory (VmRSS) with the catalog loaded | %s MiB |\n' "$loaded_rss"
printf '| TUI start, catalog on demand (`load_catalog = "on-demand"`): exec to the selected item'"'"'s detail read from the store | %s ms |\n' "$detail"
printf '| TUI resident memory, catalog on demand (tree and detail shown) | %s MiB |\n' "$browse_rss"
printf '| `fzf --filter sfzhm` on the same %s names | %s |\n' "$elements" "$(json "fzf --filter sfzhm < $work/names.txt")"
printf '| `fzf --filter 身份证号码` on the same names | %s |\n' "$(json "fzf --filter 身份证号码 < $work/names.txt")"
printf '| whole process `element uses DE000005` (reads `links.idx` and the records it names) | %s |\n' "$(json "$bin --db $db element uses DE000005")"
printf '| whole process `merge ZT001 --all-answers` (reads the records the merge needs, by `outline.idx`) | %s |\n' "$(json "$bin --db $db merge ZT001 --all-answers")"
printf '| whole process `check` | %s |\n' "$(json "$bin --db $db check" 3)"
rm -f "$db/stats.idx"
rss=$( { /usr/bin/time -f '%M' "$bin" --db "$db" stats >/dev/null; } 2>&1 | tail -1)
printf '| peak RSS of `stats` counting the store'"'"'s records (no `stats.idx`) | %s MiB |\n' "$((rss / 1024))"
printf '| store size on disk | %s |\n' "$(du -sh "$db" | cut -f1)"

# criterion's lines → table rows: "name time: [low mean high]" → "| `name` | mean |"
criterion_rows() {
    python3 -c '
import re, sys
name = None
for line in sys.stdin:
    m = re.match(r"^(\S+)\s*(time:\s*\[(.*)\])?", line)
    if m and not line.startswith(" ") and m.group(1) not in ("Benchmarking", "Found"):
        name = m.group(1)
    t = re.search(r"time:\s*\[\S+ \S+ (\S+ \S+) \S+ \S+\]", line)
    if t and name:
        print("| `%s` | %s |" % (name, t.group(1)))
        name = None
'
}

echo
echo "criterion benches (cargo bench --bench engines), mean per iteration:"
cargo bench --quiet --bench engines -- --warm-up-time 1 --measurement-time 3 2>/dev/null | criterion_rows

echo
echo "keystroke to frame on this store, 120×40 (cargo bench --bench keys), mean per key:"
YIBIAO_BENCH_STORE="$db" cargo bench --quiet --bench keys -- --warm-up-time 1 2>/dev/null | criterion_rows
