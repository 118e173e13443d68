#!/usr/bin/env bash
# Benchmarks of the `connector` CLI, each side by side with a baseline in the same run.
#
#   bash bench/run.sh
#
# Builds the release binaries, runs the benchmarks against servers on 127.0.0.1 only,
# prints a Markdown table to stdout and writes it (with date and machine) to bench/RESULTS.md.
# Every server stops by itself (--max-seconds) and is stopped by this script on exit.
# See bench/README.md for what each row measures.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RESULTS=$ROOT/bench/RESULTS.md

# Sizes (override from the environment for a quick try; the README's numbers use the defaults).
BULK_ITEMS=${BULK_ITEMS:-10000}
BULK_CONCURRENCY=${BULK_CONCURRENCY:-64}
BULK_ROUNDS=${BULK_ROUNDS:-3}
CURL_CALLS=${CURL_CALLS:-500}
RATE_ITEMS=${RATE_ITEMS:-600}
RATE_LIMIT_N=${RATE_LIMIT_N:-20}
LIST_BIG=${LIST_BIG:-200000}
LIST_SMALL=${LIST_SMALL:-20000}
ONE_CALL_RUNS=${ONE_CALL_RUNS:-20}
SERVER_MAX_SECONDS=${SERVER_MAX_SECONDS:-240}
UNKNOWN_ITEMS=${UNKNOWN_ITEMS:-3000}
UNKNOWN_SLOW_ITEMS=${UNKNOWN_SLOW_ITEMS:-600}
UNKNOWN_CONCURRENCY=${UNKNOWN_CONCURRENCY:-32}
# The sandbox limits of benchmark 5, per sliding second (the README's table uses all three).
UNKNOWN_LIMITS=${UNKNOWN_LIMITS:-"50 5 500"}
SHARED_PER_PROCESS=${SHARED_PER_PROCESS:-200}
SHARED_N=${SHARED_N:-60}
SHARED_WINDOW_S=${SHARED_WINDOW_S:-10}
# Which benchmarks to run, e.g. ONLY="5 6" (the README's table comes from a full run).
ONLY=${ONLY:-"1 2 3 5 6 7"}
want() { [[ " $ONLY " == *" $1 "* ]]; }

log() { printf '[bench] %s\n' "$*" >&2; }
die() {
    log "error: $*"
    exit 1
}

[ "${BASH_VERSINFO[0]}" -ge 5 ] || die "bash 5 or later is needed (for EPOCHREALTIME)"
command -v curl > /dev/null || die "curl is needed (apt-get install curl)"
TIME=/usr/bin/time
[ -x "$TIME" ] || die "GNU time is needed for peak RSS: apt-get install time"

LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg 2> /dev/null || echo unknown)
if [ -n "${BENCH_NO_BUILD:-}" ]; then
    log "BENCH_NO_BUILD is set: using the release binaries already built"
else
    log "building release binaries"
    (cd "$ROOT" && cargo build --release --quiet -p connector-cli -p connector-bench) || die "build failed"
fi
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=$TARGET/release
CONNECTOR=$BIN/connector
for b in "$CONNECTOR" "$BIN/bench-server" "$BIN/bench-load" "$BIN/bench-sandbox"; do
    [ -x "$b" ] || die "missing $b"
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/connector-bench.XXXXXX")
SERVERS=()
cleanup() {
    local pid
    for pid in "${SERVERS[@]}"; do
        kill -TERM "$pid" 2> /dev/null || true
    done
    wait 2> /dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The CLI must not pick up a profile or credentials from the user's environment.
: > "$WORK/empty-config.toml"
export CONNECTOR_CONFIG=$WORK/empty-config.toml
unset CONNECTOR_PROFILE KONVERTE_BASE_URL KONVERTE_API_TOKEN KONVERTE_PLATFORM_TOKEN \
    KONVERTE_AGENT_BOT_TOKEN KONVERTE_DASHED_HEADER MOCO_SUBDOMAIN MOCO_BASE_URL MOCO_API_KEY \
    HTTP_PROXY HTTPS_PROXY ALL_PROXY http_proxy https_proxy all_proxy
export NO_PROXY=127.0.0.1,localhost

# ---------------------------------------------------------------------------------------------
# helpers

# calc EXPR: floating-point arithmetic.
calc() { awk "BEGIN { printf \"%.6f\", $1 }"; }
# fmt DECIMALS NUMBER
fmt() { awk -v d="$1" -v n="$2" 'BEGIN { printf "%.*f", d, n }'; }
# median NUMBERS...
median() {
    printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END {
        if (NR == 0) { print 0 } else if (NR % 2) { print a[(NR + 1) / 2] }
        else { printf "%.6f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 } }'
}
# json_num FILE KEY: a number from a one-line JSON object.
json_num() { sed -n "s/.*\"$2\":\([0-9.eE+-]*\).*/\1/p" "$1" | head -n 1; }
# yes_no CONDITION-EXPR (awk): "yes" or "**no**"
met() { awk "BEGIN { exit !($1) }" && echo "yes" || echo "**no**"; }

# start_server NAME CMD...: runs CMD in the background, waits for its first stdout line and
# stores it in SERVER_LINE and the pid in SERVER_PID.
start_server() {
    local name=$1
    shift
    "$@" > "$WORK/$name.out" 2> "$WORK/$name.err" &
    SERVER_PID=$!
    SERVERS+=("$SERVER_PID")
    local i
    for ((i = 0; i < 600; i++)); do
        if [ -s "$WORK/$name.out" ]; then
            IFS= read -r SERVER_LINE < "$WORK/$name.out" || true
            [ -n "$SERVER_LINE" ] && return 0
        fi
        kill -0 "$SERVER_PID" 2> /dev/null || die "$name exited: $(cat "$WORK/$name.err")"
        sleep 0.05
    done
    die "$name did not start within 30 s"
}

# stop_server PID: SIGTERM, then wait until it has written its stats.
stop_server() {
    kill -TERM "$1" 2> /dev/null || true
    wait "$1" 2> /dev/null || true
}

# timed NAME CMD...: runs CMD with stdout to $WORK/NAME.stdout under GNU time; sets WALL
# (seconds, measured here around the process), RSS_KB (peak RSS), CPU_S (user + system
# seconds) and RC.
timed() {
    local name=$1
    shift
    local t0 t1
    t0=$EPOCHREALTIME
    set +e
    "$TIME" -v -o "$WORK/$name.time" "$@" > "$WORK/$name.stdout" 2> "$WORK/$name.stderr"
    RC=$?
    set -e
    t1=$EPOCHREALTIME
    WALL=$(calc "$t1 - $t0")
    RSS_KB=$(sed -n 's/.*Maximum resident set size (kbytes): *\([0-9]*\).*/\1/p' "$WORK/$name.time")
    RSS_KB=${RSS_KB:-0}
    CPU_S=$(awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.2f", s }' "$WORK/$name.time")
}

mb() { fmt 1 "$(calc "$1 / 1024")"; }

ROWS=()
row() { ROWS+=("| $1 | $2 | $3 | $4 | $5 |"); }

# ---------------------------------------------------------------------------------------------
# 1. Bulk throughput: 10,000 Konverte contacts.create through the CLI vs a bare reqwest loop.
if want 1; then

log "1 bulk: $BULK_ITEMS contacts.create at concurrency $BULK_CONCURRENCY"
TOKEN=bench-token
awk -v n="$BULK_ITEMS" 'BEGIN { for (i = 1; i <= n; i++)
    printf "{\"account_id\":1,\"name\":\"Bench Contact %d\",\"email\":\"bench%d@example.test\"}\n", i, i }' \
    > "$WORK/contacts.jsonl"
# The same bodies without the path parameter, for the baseline and curl.
sed 's/^{"account_id":1,/{/' "$WORK/contacts.jsonl" > "$WORK/bodies.jsonl"

start_server bench-server "$BIN/bench-server" --token "$TOKEN" \
    --max-seconds "$SERVER_MAX_SECONDS" --stats-file "$WORK/bench-server.stats"
HTTP_PID=$SERVER_PID
BASE=$SERVER_LINE
CONTACTS_URL=$BASE/api/v1/accounts/1/contacts
export KONVERTE_BASE_URL=$BASE KONVERTE_API_TOKEN=$TOKEN

# Warm-up (page cache, first connections); not counted.
echo '{"account_id":1,"name":"warm"}' > "$WORK/warm.jsonl"
"$CONNECTOR" run konverte contacts.create --input @"$WORK/warm.jsonl" -q > /dev/null
sed 's/"account_id":1,//' "$WORK/warm.jsonl" > "$WORK/warm-body.jsonl"
"$BIN/bench-load" --url "$CONTACTS_URL" --input "$WORK/warm-body.jsonl" --token "$TOKEN" > /dev/null
SENT=2

cli_walls=() cli_rss=() cli_cpu=() base_walls=() base_rss=() base_cpu=() base_inner=()
cli_ok_all=yes
for ((round = 1; round <= BULK_ROUNDS; round++)); do
    timed cli-bulk "$CONNECTOR" run konverte contacts.create --input @"$WORK/contacts.jsonl" \
        --concurrency "$BULK_CONCURRENCY" --continue-on-fail -q
    ok_lines=$(grep -c '"ok":true' "$WORK/cli-bulk.stdout" || true)
    if [ "$RC" -ne 0 ] || [ "$ok_lines" -ne "$BULK_ITEMS" ]; then
        cli_ok_all=no
        log "CLI round $round: exit $RC, $ok_lines of $BULK_ITEMS ok; stderr: $(head -c 500 "$WORK/cli-bulk.stderr")"
    fi
    cli_walls+=("$WALL") cli_rss+=("$RSS_KB") cli_cpu+=("$CPU_S")
    timed load-bulk "$BIN/bench-load" --url "$CONTACTS_URL" --input "$WORK/bodies.jsonl" \
        --concurrency "$BULK_CONCURRENCY" --token "$TOKEN"
    [ "$RC" -eq 0 ] || die "bench-load failed: $(cat "$WORK/load-bulk.stdout" "$WORK/load-bulk.stderr")"
    base_walls+=("$WALL") base_rss+=("$RSS_KB") base_cpu+=("$CPU_S") base_inner+=("$(json_num "$WORK/load-bulk.stdout" rps)")
    SENT=$((SENT + 2 * BULK_ITEMS))
    log "  round $round: CLI ${cli_walls[-1]} s, CPU ${cli_cpu[-1]} s, ${cli_rss[-1]} KB; reqwest ${base_walls[-1]} s, CPU ${base_cpu[-1]} s, ${base_rss[-1]} KB"
done
cli_wall=$(median "${cli_walls[@]}")
base_wall=$(median "${base_walls[@]}")
cli_rps=$(calc "$BULK_ITEMS / $cli_wall")
base_rps=$(calc "$BULK_ITEMS / $base_wall")
ratio=$(calc "100 * $cli_rps / $base_rps")
# CPU per request (user + system), in microseconds.
cli_us=$(calc "1000000 * $(median "${cli_cpu[@]}") / $BULK_ITEMS")
base_us=$(calc "1000000 * $(median "${base_cpu[@]}") / $BULK_ITEMS")
cli_peak=$(printf '%s\n' "${cli_rss[@]}" | sort -n | tail -n 1)
base_peak=$(printf '%s\n' "${base_rss[@]}" | sort -n | tail -n 1)

# What users do today: one curl per line. Timed for CURL_CALLS calls, extrapolated.
log "  curl loop: $CURL_CALLS calls"
head -n "$CURL_CALLS" "$WORK/bodies.jsonl" > "$WORK/curl-bodies.jsonl"
t0=$EPOCHREALTIME
curl_failed=0
while IFS= read -r body; do
    code=$(curl -sS -o /dev/null -w '%{http_code}' -X POST -H "api_access_token: $TOKEN" \
        -H 'Content-Type: application/json' --data-binary "$body" "$CONTACTS_URL") || code=000
    [ "$code" = 200 ] || curl_failed=$((curl_failed + 1))
done < "$WORK/curl-bodies.jsonl"
t1=$EPOCHREALTIME
SENT=$((SENT + CURL_CALLS))
curl_wall=$(calc "$t1 - $t0")
curl_rps=$(calc "$CURL_CALLS / $curl_wall")
curl_projected=$(calc "$curl_wall * $BULK_ITEMS / $CURL_CALLS")
[ "$curl_failed" -eq 0 ] || log "  curl: $curl_failed of $CURL_CALLS calls failed"

row "1. Bulk: $BULK_ITEMS Konverte \`contacts.create\` from JSONL, concurrency $BULK_CONCURRENCY (median of $BULK_ROUNDS, whole process)" \
    "$(fmt 0 "$cli_rps") req/s ($(fmt 2 "$cli_wall") s; CPU $(fmt 0 "$cli_us") µs/req; all ok: $cli_ok_all)" \
    "bare reqwest loop: $(fmt 0 "$base_rps") req/s ($(fmt 2 "$base_wall") s; CPU $(fmt 0 "$base_us") µs/req; $(fmt 0 "$(median "${base_inner[@]}")") req/s inside the loop); curl shell loop: $(fmt 0 "$curl_rps") req/s ($CURL_CALLS calls in $(fmt 1 "$curl_wall") s, extrapolated: ~$(fmt 0 "$curl_projected") s for $BULK_ITEMS)" \
    "CLI >= 90% of reqwest" \
    "$(met "$ratio >= 90") ($(fmt 0 "$ratio")%)"
row "1. Bulk: peak RSS of the process (max of $BULK_ROUNDS)" \
    "$(mb "$cli_peak") MB" \
    "bare reqwest loop: $(mb "$base_peak") MB" \
    "< 50 MB" \
    "$(met "$cli_peak < 50 * 1024")"

# ---------------------------------------------------------------------------------------------
# 4. One call (same server): the CLI vs curl, median of ONE_CALL_RUNS each, interleaved.

log "4 one call: $ONE_CALL_RUNS x CLI and $ONE_CALL_RUNS x curl"
ONE='{"account_id":1,"name":"One Call","email":"one@example.test"}'
ONE_BODY='{"name":"One Call","email":"one@example.test"}'
one_cli=() one_curl=()
one_failed=0
for ((i = 0; i < ONE_CALL_RUNS; i++)); do
    t0=$EPOCHREALTIME
    "$CONNECTOR" run konverte contacts.create --input "$ONE" > /dev/null 2> "$WORK/one.err" ||
        one_failed=$((one_failed + 1))
    t1=$EPOCHREALTIME
    one_cli+=("$(calc "($t1 - $t0) * 1000")")
    t0=$EPOCHREALTIME
    curl -sS -f -o /dev/null -X POST -H "api_access_token: $TOKEN" -H 'Content-Type: application/json' \
        --data-binary "$ONE_BODY" "$CONTACTS_URL" || one_failed=$((one_failed + 1))
    t1=$EPOCHREALTIME
    one_curl+=("$(calc "($t1 - $t0) * 1000")")
done
SENT=$((SENT + 2 * ONE_CALL_RUNS))
one_cli_ms=$(median "${one_cli[@]}")
one_curl_ms=$(median "${one_curl[@]}")
one_ratio=$(calc "$one_cli_ms / $one_curl_ms")
[ "$one_failed" -eq 0 ] || log "  one call: $one_failed failed runs; last CLI stderr: $(cat "$WORK/one.err")"

stop_server "$HTTP_PID"
unset KONVERTE_BASE_URL KONVERTE_API_TOKEN
server_requests=$(json_num "$WORK/bench-server.stats" requests)
server_unauth=$(json_num "$WORK/bench-server.stats" unauthorized)
log "  bench-server saw $server_requests requests (expected $SENT), $server_unauth unauthorized"
fi

# ---------------------------------------------------------------------------------------------
# 2. Rate-limited bulk: 600 MOCO activities.create against the sandbox limited to 20/1s.
if want 2; then

log "2 rate-limited: $RATE_ITEMS activities.create at --rate-limit $RATE_LIMIT_N/1s (takes ~$((RATE_ITEMS / RATE_LIMIT_N)) s)"
awk -v n="$RATE_ITEMS" 'BEGIN { for (i = 1; i <= n; i++)
    printf "{\"date\":\"2024-05-01\",\"project_id\":1,\"task_id\":1,\"seconds\":1800,\"description\":\"bench %d\"}\n", i }' \
    > "$WORK/activities.jsonl"
start_server sandbox-rate "$BIN/bench-sandbox" --rate-limit "$RATE_LIMIT_N/1s" \
    --max-seconds "$SERVER_MAX_SECONDS" --stats-file "$WORK/sandbox-rate.stats"
read -r MOCO_URL MOCO_KEY <<< "$SERVER_LINE"
MOCO_BASE_URL=$MOCO_URL MOCO_API_KEY=$MOCO_KEY timed cli-rate \
    "$CONNECTOR" run moco activities.create --input @"$WORK/activities.jsonl" \
    --rate-limit "$RATE_LIMIT_N/1s" --concurrency 4 --continue-on-fail -q
rate_rc=$RC
rate_wall=$WALL
rate_ok=$(grep -c '"ok":true' "$WORK/cli-rate.stdout" || true)
stop_server "$SERVER_PID"
created=$(json_num "$WORK/sandbox-rate.stats" created)
throttled=$(json_num "$WORK/sandbox-rate.stats" throttled)
rate_requests=$(json_num "$WORK/sandbox-rate.stats" requests)
rate=$(calc "$RATE_ITEMS / $rate_wall")
rate_pct=$(calc "100 * $rate / $RATE_LIMIT_N")
[ "$rate_rc" -eq 0 ] || log "  CLI exit $rate_rc: $(head -c 500 "$WORK/cli-rate.stderr")"

row "2. Rate-limited: $RATE_ITEMS MOCO \`activities.create\`, \`--rate-limit $RATE_LIMIT_N/1s\`, sandbox limit $RATE_LIMIT_N per sliding 1 s — achieved rate" \
    "$(fmt 2 "$rate") req/s ($(fmt 1 "$rate_wall") s, $(fmt 1 "$rate_pct")% of the limit)" \
    "the limit: $RATE_LIMIT_N req/s ($RATE_ITEMS in $((RATE_ITEMS / RATE_LIMIT_N)) s)" \
    ">= 95% of the limit" \
    "$(met "$rate_pct >= 95")"
row "2. Rate-limited: 429 answers received (sandbox \`Stats.throttled\`)" \
    "$throttled (of $rate_requests requests)" \
    "0" \
    "0" \
    "$(met "$throttled == 0")"
row "2. Rate-limited: records created (sandbox \`Stats.created\`)" \
    "$created of $RATE_ITEMS ($rate_ok ok outcome lines, exit $rate_rc)" \
    "$RATE_ITEMS" \
    "all $RATE_ITEMS" \
    "$(met "$created == $RATE_ITEMS")"
fi

# ---------------------------------------------------------------------------------------------
# 3. Streaming lists: activities list --all over 200,000 vs 20,000 records, output to /dev/null.

list_run() { # N -> LIST_WALL LIST_RSS LIST_RC LIST_REQUESTS
    local n=$1
    start_server "sandbox-list-$n" "$BIN/bench-sandbox" --preload "$n" \
        --max-seconds "$SERVER_MAX_SECONDS" --stats-file "$WORK/sandbox-list-$n.stats"
    local url key
    read -r url key <<< "$SERVER_LINE"
    local t0 t1
    t0=$EPOCHREALTIME
    set +e
    MOCO_BASE_URL=$url MOCO_API_KEY=$key "$TIME" -v -o "$WORK/list-$n.time" \
        "$CONNECTOR" moco activities list --all --rate-limit off -q > /dev/null 2> "$WORK/list-$n.stderr"
    LIST_RC=$?
    set -e
    t1=$EPOCHREALTIME
    LIST_WALL=$(calc "$t1 - $t0")
    LIST_RSS=$(sed -n 's/.*Maximum resident set size (kbytes): *\([0-9]*\).*/\1/p' "$WORK/list-$n.time")
    stop_server "$SERVER_PID"
    LIST_REQUESTS=$(json_num "$WORK/sandbox-list-$n.stats" requests)
    [ "$LIST_RC" -eq 0 ] || log "  list $n: exit $LIST_RC: $(head -c 500 "$WORK/list-$n.stderr")"
}

if want 3; then
log "3 streaming: activities list --all over $LIST_SMALL and $LIST_BIG records"
list_run "$LIST_SMALL"
small_wall=$LIST_WALL small_rss=$LIST_RSS small_rc=$LIST_RC small_pages=$LIST_REQUESTS
list_run "$LIST_BIG"
big_wall=$LIST_WALL big_rss=$LIST_RSS big_rc=$LIST_RC big_pages=$LIST_REQUESTS
growth=$(calc "100 * ($big_rss - $small_rss) / $small_rss")

row "3. Streaming: \`moco activities list --all\` over $LIST_BIG records ($((LIST_BIG / 100)) pages of 100) to /dev/null — peak RSS" \
    "$(mb "$big_rss") MB ($(fmt 1 "$big_wall") s, $(fmt 0 "$(calc "$LIST_BIG / $big_wall")") records/s, $big_pages pages fetched, exit $big_rc)" \
    "same over $LIST_SMALL records: $(mb "$small_rss") MB ($(fmt 1 "$small_wall") s, $small_pages pages, exit $small_rc)" \
    "< 50 MB" \
    "$(met "$big_rss < 50 * 1024 && $big_rc == 0")"
row "3. Streaming: RSS growth from $LIST_SMALL to $LIST_BIG records" \
    "$(fmt 1 "$growth")%" \
    "—" \
    "within 10%" \
    "$(met "$growth <= 10 && $growth >= -10")"
fi

# The one-call row after the others, as benchmark 4.
want 1 && row "4. One call: \`connector run konverte contacts.create --input '{...}'\` vs one \`curl\` (median of $ONE_CALL_RUNS, whole process)" \
    "$(fmt 1 "$one_cli_ms") ms" \
    "curl: $(fmt 1 "$one_curl_ms") ms" \
    "<= 1.5x curl" \
    "$(met "$one_ratio <= 1.5") ($(fmt 2 "$one_ratio")x)"

# ---------------------------------------------------------------------------------------------
# 5. Unknown limit: Konverte contacts.create against the sandbox throttling at a sliding window
#    the CLI is not told about, with adaptive pacing (no --rate-limit) beside today's behaviour
#    (--rate-limit off: fixed concurrency, retries only), each against a fresh sandbox.

# unknown_run NAME LIMIT ITEMS CLI-ARGS...: sets U_WALL U_RC U_OK U_CREATED U_THROTTLED U_REQUESTS.
unknown_run() {
    local name=$1 limit=$2 items=$3
    shift 3
    local input=$WORK/unknown-$items.jsonl
    [ -s "$input" ] || awk -v n="$items" 'BEGIN { for (i = 1; i <= n; i++)
        printf "{\"account_id\":1,\"inbox_id\":1,\"name\":\"Unknown %d\",\"email\":\"u%d@example.test\"}\n", i, i }' > "$input"
    start_server "$name" "$BIN/bench-sandbox" --backend konverte --rate-limit "$limit/1s" \
        --max-seconds $((items / limit * 3 + 60)) --stats-file "$WORK/$name.stats"
    local url token
    read -r url token <<< "$SERVER_LINE"
    KONVERTE_BASE_URL=$url KONVERTE_API_TOKEN=$token timed "$name" \
        "$CONNECTOR" run konverte contacts.create --input @"$input" \
        --concurrency "$UNKNOWN_CONCURRENCY" --continue-on-fail -q "$@"
    U_RC=$RC U_WALL=$WALL
    U_OK=$(grep -c '"ok":true' "$WORK/$name.stdout" || true)
    stop_server "$SERVER_PID"
    U_CREATED=$(json_num "$WORK/$name.stats" created)
    U_THROTTLED=$(json_num "$WORK/$name.stats" throttled)
    U_REQUESTS=$(json_num "$WORK/$name.stats" requests)
}

if want 5; then
    for limit in $UNKNOWN_LIMITS; do
        items=$UNKNOWN_ITEMS
        [ "$limit" -lt 50 ] && items=$UNKNOWN_SLOW_ITEMS
        log "5 unknown limit: $items contacts.create, sandbox $limit per sliding 1 s, concurrency $UNKNOWN_CONCURRENCY (adaptive: ~$((items / limit)) s)"
        unknown_run "unknown-$limit" "$limit" "$items"
        a_rate=$(calc "$U_CREATED / $U_WALL")
        a_share=$(calc "100 * $a_rate / $limit")
        a_429=$(calc "100 * $U_THROTTLED / $U_REQUESTS")
        a_text="$(fmt 1 "$a_rate") req/s, **$(fmt 1 "$a_share")% of the limit** ($(fmt 1 "$U_WALL") s); 429s: $U_THROTTLED of $U_REQUESTS requests ($(fmt 2 "$a_429")%); $U_OK of $items ok, $U_CREATED created, exit $U_RC"
        a_met=$(met "$a_share >= 90 && $a_429 <= 2 && $U_OK == $items && $U_CREATED == $items")
        log "  adaptive: $a_text"
        unknown_run "today-$limit" "$limit" "$items" --rate-limit off
        t_rate=$(calc "$U_CREATED / $U_WALL")
        t_429=$(calc "100 * $U_THROTTLED / $U_REQUESTS")
        t_text="\`--rate-limit off\` (today: fixed concurrency, retries only): $(fmt 1 "$t_rate") req/s created ($(fmt 1 "$(calc "100 * $t_rate / $limit")")%, $(fmt 1 "$U_WALL") s); 429s: $U_THROTTLED of $U_REQUESTS requests ($(fmt 1 "$t_429")%); $U_OK of $items ok, $U_CREATED created, exit $U_RC"
        log "  today: $t_text"
        row "5. Unknown limit: $items Konverte \`contacts.create\`, sandbox limit $limit per sliding 1 s (not told to the CLI), \`--concurrency $UNKNOWN_CONCURRENCY\`, no \`--rate-limit\` (adaptive pacing)" \
            "$a_text" "$t_text" ">= 90% of the limit, <= 2% 429s, every item ok, none created twice" "$a_met"
    done
fi

# ---------------------------------------------------------------------------------------------
# 6. Shared quota: three CLI processes started together, SHARED_PER_PROCESS MOCO creates each,
#    against the sandbox limited to SHARED_N per sliding SHARED_WINDOW_S s (MOCO's 120 per 2 min,
#    scaled down), each with --rate-limit SHARED_N/SHARED_WINDOW_Ss: first sharing it through the
#    lock file (one cache directory), then through one redis-server (one cache directory each).

# shared_run NAME CACHE-MODE CLI-ARGS...: sets S_WALL S_OK S_CREATED S_THROTTLED S_REQUESTS S_RCS.
shared_run() {
    local name=$1 mode=$2
    shift 2
    local input=$WORK/shared-activities.jsonl
    [ -s "$input" ] || awk -v n="$SHARED_PER_PROCESS" 'BEGIN { for (i = 1; i <= n; i++)
        printf "{\"date\":\"2024-05-01\",\"project_id\":1,\"task_id\":1,\"seconds\":900,\"description\":\"shared %d\"}\n", i }' > "$input"
    local total=$((3 * SHARED_PER_PROCESS))
    start_server "$name" "$BIN/bench-sandbox" --rate-limit "$SHARED_N/${SHARED_WINDOW_S}s" \
        --max-seconds $((total * SHARED_WINDOW_S / SHARED_N * 2 + 60)) --stats-file "$WORK/$name.stats"
    local url key pids=() i t0 t1
    read -r url key <<< "$SERVER_LINE"
    t0=$EPOCHREALTIME
    for i in 1 2 3; do
        local cache=$WORK/cache-$name
        [ "$mode" = separate ] && cache=$WORK/cache-$name-$i
        MOCO_BASE_URL=$url MOCO_API_KEY=$key XDG_CACHE_HOME=$cache \
            "$CONNECTOR" run moco activities.create --input @"$input" --continue-on-fail -q \
            --rate-limit "$SHARED_N/${SHARED_WINDOW_S}s" "$@" \
            > "$WORK/$name-$i.stdout" 2> "$WORK/$name-$i.stderr" &
        pids+=("$!")
    done
    S_RCS=""
    for i in 0 1 2; do
        local rc=0
        wait "${pids[$i]}" || rc=$?
        S_RCS="$S_RCS$rc "
    done
    t1=$EPOCHREALTIME
    S_WALL=$(calc "$t1 - $t0")
    S_OK=$(cat "$WORK/$name"-[123].stdout | grep -c '"ok":true' || true)
    stop_server "$SERVER_PID"
    S_CREATED=$(json_num "$WORK/$name.stats" created)
    S_THROTTLED=$(json_num "$WORK/$name.stats" throttled)
    S_REQUESTS=$(json_num "$WORK/$name.stats" requests)
}

shared_row() { # LABEL
    local total=$((3 * SHARED_PER_PROCESS))
    local limit_rps
    limit_rps=$(calc "$SHARED_N / $SHARED_WINDOW_S")
    local rate share
    rate=$(calc "$S_CREATED / $S_WALL")
    share=$(calc "100 * $rate / $limit_rps")
    row "6. Shared quota, $1: 3 processes x $SHARED_PER_PROCESS MOCO \`activities.create\` started together, one key, each \`--rate-limit $SHARED_N/${SHARED_WINDOW_S}s\`; sandbox limit $SHARED_N per sliding $SHARED_WINDOW_S s" \
        "combined $(fmt 2 "$rate") req/s, **$(fmt 1 "$share")% of the limit** ($(fmt 1 "$S_WALL") s); 429s: $S_THROTTLED of $S_REQUESTS requests; $S_OK of $total ok, $S_CREATED created; exits: ${S_RCS% }" \
        "the limit: $(fmt 1 "$limit_rps") req/s ($total in $((total * SHARED_WINDOW_S / SHARED_N)) s)" \
        "zero 429s, combined >= 90% of the limit" \
        "$(met "$S_THROTTLED == 0 && $share >= 90 && $S_CREATED == $total")"
}

if want 6; then
    log "6 shared quota (lock file): 3 x $SHARED_PER_PROCESS activities.create at $SHARED_N/${SHARED_WINDOW_S}s (~$((3 * SHARED_PER_PROCESS * SHARED_WINDOW_S / SHARED_N)) s)"
    shared_run shared-file same
    shared_row "one machine (lock file in the cache directory)"
    if command -v redis-server > /dev/null; then
        port=
        for ((try = 0; try < 50; try++)); do
            candidate=$((20000 + RANDOM % 40000))
            if ! (: > "/dev/tcp/127.0.0.1/$candidate") 2> /dev/null; then
                port=$candidate
                break
            fi
        done
        [ -n "$port" ] || die "no free port for redis-server"
        redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no > "$WORK/redis.log" 2>&1 &
        SERVERS+=("$!")
        REDIS_PID=$!
        for ((try = 0; try < 200; try++)); do
            (: > "/dev/tcp/127.0.0.1/$port") 2> /dev/null && break
            sleep 0.05
        done
        log "6 shared quota (redis-server on 127.0.0.1:$port): 3 processes, separate cache directories"
        shared_run shared-redis separate --rate-limit-store "redis://127.0.0.1:$port"
        shared_row "across machines (one redis-server; each process its own cache directory)"
        stop_server "$REDIS_PID"
    else
        row "6. Shared quota through Redis" "skipped: redis-server is not installed (apt-get install redis-server)" "—" "zero 429s, >= 90%" "**no**"
    fi
fi

# ---------------------------------------------------------------------------------------------
# 7. Binary size: the `connector` binary as `cargo install` installs it.

if want 7; then
    log "7 binary size: cargo install --path connector-cli"
    (cd "$ROOT" && cargo install --locked --quiet --path connector-cli --root "$WORK/install") || die "cargo install failed"
    size=$(stat -c %s "$WORK/install/bin/connector")
    row "7. Binary size: \`cargo install --path connector-cli\` (release profile: no debug info, debug info stripped)" \
        "$(fmt 1 "$(calc "$size / 1048576")") MB" \
        "before this profile: 77 MB (debug = \"line-tables-only\")" \
        "< 20 MB" \
        "$(met "$size < 20 * 1048576")"
fi

# ---------------------------------------------------------------------------------------------
# Report

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2> /dev/null | head -n 1)
mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo 2> /dev/null)
rev=$(cd "$ROOT" && git rev-parse --short HEAD 2> /dev/null || echo unknown)
dirty=$(cd "$ROOT" && git status --porcelain 2> /dev/null | head -n 1)
[ -n "$dirty" ] && rev="$rev (with uncommitted changes)"

{
    echo "# Benchmark results"
    echo
    echo "Reproduce with \`bash bench/run.sh\` (see [README.md](README.md) for what each row measures)."
    echo
    echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "- Machine: $(nproc) CPUs${cpu:+ ($cpu)}, $mem memory, $(uname -sr)"
    echo "- Commit: $rev; $(rustc --version 2> /dev/null || echo 'rustc unknown')"
    echo "- Load average when the run started: $LOAD_AT_START (other work on the machine shows here)"
    echo "- Everything (client, server, baseline) runs on this one machine over 127.0.0.1, so client and server share the CPUs."
    echo
    echo "| benchmark | ours | baseline | target | met? |"
    echo "| --- | --- | --- | --- | --- |"
    printf '%s\n' "${ROWS[@]}"
    echo
    echo "The curl figure is extrapolated: $CURL_CALLS sequential calls were timed and scaled to $BULK_ITEMS."
    want 1 && echo "bench-server counted $server_requests requests (this script sent $SENT) and $server_unauth unauthorized."
} > "$WORK/RESULTS.md"

cp "$WORK/RESULTS.md" "$RESULTS"
cat "$RESULTS"
log "written to $RESULTS"
