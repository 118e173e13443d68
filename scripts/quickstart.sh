#!/usr/bin/env bash
# The main job, end to end, against the built-in sandbox: no account, no network.
# Builds the `connector` CLI, starts the fake Konverte and MOCO servers, and runs the
# commands an operator would type, printing each one before it runs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

echo "building the connector CLI (first time: a few minutes)..." >&2
cargo build --quiet --locked -p connector-cli
connector_bin=${CARGO_TARGET_DIR:-$PWD/target}/debug/connector
connector() { "$connector_bin" "$@"; }
work=$(mktemp -d)
sandbox=
trap '[[ -n $sandbox ]] && kill "$sandbox" 2>/dev/null; rm -rf "$work"' EXIT

# The binary itself, not the shell function, so that $! is the process to stop at exit.
"$connector_bin" sandbox >"$work/env" 2>"$work/sandbox.log" &
sandbox=$!
for _ in $(seq 100); do
  [[ -f $work/env && $(wc -l <"$work/env") -ge 5 ]] && break
  kill -0 "$sandbox" 2>/dev/null || { cat "$work/sandbox.log" >&2; exit 1; }
  sleep 0.1
done
# shellcheck disable=SC1091
source "$work/env"

step() { printf '\n# %s\n' "$1" >&2; }
run() { printf '$ %s\n' "$*" >&2; "$@"; }
# Responses are long JSON: show the start of each line.
short() { cut -c1-160; }

step "The sandbox prints its credentials as shell exports"
cat "$work/env"

step "Konverte: create a platform user (the password passes the complexity check)"
# Secrets go in files, not on the command line, where every user of the machine can read them.
printf '%s\n' 'Analyt1cal!Engine' >"$work/password"
run connector konverte users create --name "Ada Lovelace" --email ada@example.com \
  --password "@$work/password" | short

step "A weak password is refused before anything is sent (exit code 2)"
set +e
printf '%s\n' 'weakpass' >"$work/weak"
run connector konverte users create --name "Bob" --email bob@example.com --password "@$work/weak"
echo "exit code: $?" >&2
set -e

step "Import 40 contacts from JSON Lines: one outcome line per input"
for i in $(seq 1 40); do
  printf '{"account_id":1,"inbox_id":1,"name":"Contact %d","email":"contact%d@example.com"}\n' "$i" "$i"
done >"$work/contacts.jsonl"
run connector run konverte contacts.create --input "@$work/contacts.jsonl" --concurrency 8 | tail -n 2 | short

step "List every contact across pages (15 per page): one JSON line per contact"
run connector konverte contacts list --account_id 1 --all >"$work/all.jsonl"
echo "$(wc -l <"$work/all.jsonl") contacts streamed; the first:" >&2
head -n 1 "$work/all.jsonl" | short

step "Konverte: a platform action with no platform token is refused before sending (exit code 2)"
set +e
run env -u KONVERTE_PLATFORM_TOKEN "$connector_bin" konverte users get --id 1
echo "exit code: $?" >&2
set -e

step "MOCO: log two activities on the seeded project 1, task 1"
run connector moco activities create --date 2026-11-20 --project_id 1 --task_id 1 \
  --seconds 5400 --description "Workshop preparation" | short
printf '{"date":"2026-11-21","project_id":1,"task_id":1,"seconds":1800,"description":"Review"}\n' |
  run connector run moco activities.create --input - | short

step "MOCO: list the activities of November"
run connector moco activities list --from 2026-11-01 --to 2026-11-30 --all | short

step "Dry run: what would be sent, with the key masked, sending nothing"
run connector moco activities delete --id 1 --dry-run

printf '\nDone. Try `%s --help` next.\n' "$connector_bin" >&2
