#!/usr/bin/env bash
# Bounded memory for JSON Lines input: `connector run --input @FILE` over a file holding a
# short line, a 1 GiB line, another short line and, at the end, a 1 GiB line without a
# newline. Each long line must become its item's error (past the default 16 MiB limit) and
# the short ones go on, with the peak RSS of the process under 100 MB.
#
#   bash bench/long-line.sh            # LINE_BYTES=... for another size
#
# Needs GNU time at /usr/bin/time and about 2 GiB of free space in $TMPDIR for the file.
# Nothing is sent (--dry-run); prints one Markdown table row and writes it to
# bench/RESULTS-long-line.md.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LINE_BYTES=${LINE_BYTES:-1073741824}
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "GNU time is needed: apt-get install time" >&2; exit 1; }

(cd "$ROOT" && cargo build --release --quiet -p connector-cli)
CONNECTOR=${CARGO_TARGET_DIR:-$ROOT/target}/release/connector
WORK=$(mktemp -d "${TMPDIR:-/tmp}/connector-long-line.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

short='{"date":"2026-01-05","project_id":1,"task_id":2}'
long() { printf '{"date":"2026-01-05","project_id":1,"task_id":2,"description":"'; head -c "$LINE_BYTES" /dev/zero | tr '\0' a; }
{ echo "$short"; long; printf '"}\n'; echo "$short"; long; } > "$WORK/input.jsonl"
size=$(stat -c %s "$WORK/input.jsonl")

: > "$WORK/empty.toml"
set +e
env -i PATH="$PATH" HOME="$WORK" CONNECTOR_CONFIG="$WORK/empty.toml" \
    MOCO_BASE_URL=http://127.0.0.1:9/api/v1 MOCO_API_KEY=bench \
    "$TIME" -v -o "$WORK/time.txt" \
    "$CONNECTOR" run moco activities.create --input "@$WORK/input.jsonl" --dry-run -q \
    > "$WORK/out.jsonl" 2> "$WORK/err.txt"
code=$?
set -e
rss_kb=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$WORK/time.txt")
wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { print $2 }' "$WORK/time.txt")
rss_mb=$(awk -v k="$rss_kb" 'BEGIN { printf "%.1f", k / 1024 }')
oks=$(grep -c '"ok":true' "$WORK/out.jsonl" || true)
refused=$(grep -c 'limit of 16 MiB' "$WORK/out.jsonl" || true)
met=no
if awk -v r="$rss_kb" 'BEGIN { exit !(r < 100 * 1024) }' && [ "$oks" = 2 ] && [ "$refused" = 2 ] && [ "$code" = 2 ]; then
    met=yes
fi
row="| JSON Lines input of $size bytes: two lines of $LINE_BYTES bytes (one without a newline) between short ones, \`run --input @FILE --dry-run\` | peak RSS $rss_mb MB, $wall, exit $code; outcomes: $oks ok, $refused refused as past the 16 MiB limit | < 100 MB, long lines are their items' errors, the others go on | $met |"
{
    echo "| benchmark | result | target | met? |"
    echo "| --- | --- | --- | --- |"
    echo "$row"
    echo
    echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit $(cd "$ROOT" && git rev-parse --short HEAD); $(nproc) CPUs"
} | tee "$ROOT/bench/RESULTS-long-line.md"
