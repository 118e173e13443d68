#!/usr/bin/env bash
# Files both ways, in constant memory: a 1 GiB upload (Konverte `messages create
# --attachments @FILE`, multipart) and a 1 GiB download (MOCO `invoices pdf --out FILE`)
# through the release `connector` against `bench-server` on 127.0.0.1, each beside `curl -F` /
# `curl -o` moving the same bytes to the same server in the same run.
#
#   bash bench/files.sh            # FILE_BYTES=... for another size, ROUNDS=... (default 3)
#
# Needs GNU time at /usr/bin/time, curl, and about 3 GiB free in $TMPDIR. Prints a Markdown
# table and writes it to bench/RESULTS-files.md.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FILE_BYTES=${FILE_BYTES:-1073741824}
ROUNDS=${ROUNDS:-3}
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "GNU time is needed: apt-get install time" >&2; exit 1; }
command -v curl > /dev/null || { echo "curl is needed" >&2; exit 1; }

LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg 2> /dev/null || echo unknown)
# PROFILE=dev tries the script quickly on debug binaries; the figures come from release.
PROFILE=${PROFILE:-release}
(cd "$ROOT" && cargo build --profile "$PROFILE" --quiet -p connector-cli -p connector-bench)
BIN=${CARGO_TARGET_DIR:-$ROOT/target}/$([ "$PROFILE" = dev ] && echo debug || echo "$PROFILE")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/connector-files.XXXXXX")
SERVER_PID=
cleanup() {
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2> /dev/null || true
    [ -n "${KEEP:-}" ] && echo "kept $WORK" >&2 || rm -rf "$WORK"
}
trap cleanup EXIT

head -c "$FILE_BYTES" /dev/urandom > "$WORK/upload.bin"
"$BIN/bench-server" --file-bytes "$FILE_BYTES" --max-seconds 1800 --stats-file "$WORK/server.json" > "$WORK/server.out" &
SERVER_PID=$!
for _ in $(seq 1 200); do [ -s "$WORK/server.out" ] && break; sleep 0.05; done
URL=$(head -n 1 "$WORK/server.out")
[ -n "$URL" ] || { echo "bench-server did not start" >&2; exit 1; }

: > "$WORK/empty.toml"
# The CLI with only these variables: no profile or proxy of the caller's shell applies.
CLI=(env -i PATH="$PATH" HOME="$WORK" CONNECTOR_CONFIG="$WORK/empty.toml" NO_COLOR=1
    KONVERTE_BASE_URL="$URL" KONVERTE_API_TOKEN=bench
    MOCO_BASE_URL="$URL/api/v1" MOCO_API_KEY=bench "$BIN/connector")

# timed NAME CMD...: WALL (seconds, around the process), RSS_KB (peak), RC.
timed() {
    local name=$1
    shift
    local t0=$EPOCHREALTIME
    set +e
    "$TIME" -v -o "$WORK/$name.time" "$@" > "$WORK/$name.out" 2> "$WORK/$name.err"
    RC=$?
    set -e
    WALL=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }')
    RSS_KB=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$WORK/$name.time")
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
mbps() { awk -v n="$FILE_BYTES" -v s="$1" 'BEGIN { printf "%.0f", n / 1048576 / s }'; }
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

up_ours=() up_curl=() down_ours=() down_curl=() up_rss=0 down_rss=0 failures=0
for round in $(seq 1 "$ROUNDS"); do
    timed "up-ours-$round" "${CLI[@]}" konverte messages create --account_id 1 \
        --conversation_id 1 --content bench --attachments "@$WORK/upload.bin" -q
    [ "$RC" = 0 ] || { failures=$((failures + 1)); cat "$WORK/up-ours-$round.err" >&2; }
    up_ours+=("$WALL")
    ((RSS_KB > up_rss)) && up_rss=$RSS_KB
    timed "up-curl-$round" curl -sS -o /dev/null -H "api_access_token: bench" \
        -F content=bench -F "attachments[]=@$WORK/upload.bin" \
        "$URL/api/v1/accounts/1/conversations/1/messages"
    up_curl+=("$WALL")

    rm -f "$WORK/ours.pdf" "$WORK/curl.pdf"
    timed "down-ours-$round" "${CLI[@]}" moco invoices pdf --id 1 --out "$WORK/ours.pdf" -q
    size=$(stat -c %s "$WORK/ours.pdf" 2> /dev/null || echo 0)
    [ "$RC" = 0 ] && [ "$size" = "$FILE_BYTES" ] || { failures=$((failures + 1)); cat "$WORK/down-ours-$round.err" >&2; }
    down_ours+=("$WALL")
    ((RSS_KB > down_rss)) && down_rss=$RSS_KB
    timed "down-curl-$round" curl -sS -o "$WORK/curl.pdf" -H "Authorization: Token token=bench" \
        "$URL/api/v1/invoices/1.pdf"
    down_curl+=("$WALL")
done

mu=$(printf '%s\n' "${up_ours[@]}" | median)
cu=$(printf '%s\n' "${up_curl[@]}" | median)
md=$(printf '%s\n' "${down_ours[@]}" | median)
cd_=$(printf '%s\n' "${down_curl[@]}" | median)
met() { awk -v r="$1" 'BEGIN { exit !(r < 50 * 1024) }' && [ "$failures" = 0 ] && echo yes || echo "**no**"; }
gib=$(awk -v n="$FILE_BYTES" 'BEGIN { printf "%.2f", n / 1073741824 }')
{
    echo "# File benchmark results"
    echo
    echo "Reproduce with \`bash bench/files.sh\`. Date: $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) CPUs;"
    echo "commit $(cd "$ROOT" && git rev-parse --short HEAD); load average at the start: $LOAD_AT_START."
    echo "Median of $ROUNDS rounds, client and server on one machine over 127.0.0.1."
    echo
    echo "| benchmark | ours | curl, same bytes, same server | target | met? |"
    echo "| --- | --- | --- | --- | --- |"
    echo "| Upload of $gib GiB: \`connector konverte messages create --attachments @FILE\` (multipart, streamed from disk) | $(mbps "$mu") MB/s ($mu s), peak RSS $(mb "$up_rss") MB | \`curl -F attachments[]=@FILE\`: $(mbps "$cu") MB/s ($cu s) | peak RSS < 50 MB | $(met "$up_rss") |"
    echo "| Download of $gib GiB: \`connector moco invoices pdf --out FILE\` (streamed to disk) | $(mbps "$md") MB/s ($md s), peak RSS $(mb "$down_rss") MB | \`curl -o FILE\`: $(mbps "$cd_") MB/s ($cd_ s) | peak RSS < 50 MB | $(met "$down_rss") |"
    echo
    echo "Failed CLI runs: $failures (a download counts as failed unless its file has all $FILE_BYTES bytes)."
} > "$WORK/RESULTS.md"
cp "$WORK/RESULTS.md" "$ROOT/bench/RESULTS-files.md"
cat "$ROOT/bench/RESULTS-files.md"
