#!/usr/bin/env bash
# Build time of `connector-moco` and `connector-konverte` as a dependency, before and after.
#
# For each backend crate and each commit in REFS (the first is the baseline), a fresh binary
# crate depending only on that backend (by path, into a temporary `git worktree` of the
# commit) is built once per commit to warm its dependencies (one target directory for all: the registry
# crates are built once per profile; each commit's workspace crates are packages of their own
# and do not collide). Then the workspace crates are rebuilt REPS times each (touch
# connector-core, which rebuilds core, the backend and the binary) with CARGO_INCREMENTAL=0,
# as a user depending on the published crate gets them, in debug (the default `dev` profile,
# debug info included) and release. The commits take turns within each round, so load on the
# machine hits all alike; the median is reported. Prints a Markdown table to stdout.
#
# With COLD=1, each build instead starts from an empty target directory (one per side and
# build, removed after): the whole build a user waits for when they add the crate to a
# fresh project, registry dependencies included (what cargo features that leave out optional
# dependencies save shows here). REPS builds per side, commits taking turns.
#
# A ref written `REF+seed` is REF depended on as a typical user does since the typed API is
# behind cargo features: `default-features = false` and only the backend's seed groups
# (SEED_MOCO, SEED_KONVERTE: the groups the sandbox seeds and a first integration calls).
#
#   bash bench/build-time.sh                    # REFS="cd9cf32 HEAD HEAD+seed" REPS=3
#   REFS="cd9cf32 main HEAD" REPS=1 CRATES=connector-moco PROFILES=dev bash bench/build-time.sh
#   COLD=1 REPS=1 bash bench/build-time.sh      # whole builds from an empty target directory
set -euo pipefail

REFS=${REFS:-"cd9cf32 HEAD HEAD+seed"}
SEED_MOCO=${SEED_MOCO:-"activities companies contacts deals projects users"}
SEED_KONVERTE=${SEED_KONVERTE:-"account agents contacts conversations inboxes messages"}
REPS=${REPS:-3}
COLD=${COLD:-0}
CRATES=${CRATES:-"connector-moco connector-konverte"}
PROFILES=${PROFILES:-"dev release"}
REPO=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/build-time.XXXXXX")

# What the caller's shell sets for its own builds must not change what is measured.
unset CARGO_PROFILE_DEV_DEBUG CARGO_PROFILE_TEST_DEBUG CARGO_BUILD_JOBS RUSTFLAGS
export CARGO_INCREMENTAL=0
export CARGO_TARGET_DIR=${BUILD_TIME_TARGET:-$WORK/target}

read -r -a refs <<<"$REFS"
sides=()    # a commit, or a commit + "+seed"
revs=()     # the commits, each checked out once
declare -A rev_of=()
cleanup() {
    for rev in "${revs[@]}"; do
        git -C "$REPO" worktree remove --force "$WORK/$rev" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

names=()
for ref in "${refs[@]}"; do
    suffix=""
    [[ $ref == *+seed ]] && suffix="+seed"
    rev=$(git -C "$REPO" rev-parse --short "${ref%+seed}^{commit}")
    if [[ ! -d $WORK/$rev ]]; then
        revs+=("$rev")
        git -C "$REPO" worktree add --quiet --detach "$WORK/$rev" "$rev"
    fi
    sides+=("$rev$suffix")
    rev_of[$rev$suffix]=$rev
    names+=("$ref = $rev$suffix")
done

# The type each backend crate has exported since before the baseline.
client_type() { case $1 in connector-moco) echo Moco ;; connector-konverte) echo Konverte ;; esac; }

# The dependency line: all of the crate, or (for a `+seed` side) only its seed groups.
dependency() {
    local side=$1 crate=$2 rev=${rev_of[$1]} seed
    if [[ $side != *+seed ]]; then
        echo "$crate = { path = \"$WORK/$rev/$crate\" }"
        return
    fi
    case $crate in connector-moco) seed=$SEED_MOCO ;; connector-konverte) seed=$SEED_KONVERTE ;; esac
    local list
    list=$(for g in $seed; do printf '"%s", ' "$g"; done)
    echo "$crate = { path = \"$WORK/$rev/$crate\", default-features = false, features = [${list%, }] }"
}

make_app() {
    local side=$1 crate=$2 dir="$WORK/app-$1-$2"
    mkdir -p "$dir/src"
    cat >"$dir/Cargo.toml" <<TOML
[package]
name = "app-${side/+/-}-$crate"
version = "0.1.0"
edition = "2024"

[dependencies]
$(dependency "$side" "$crate")

[workspace]
TOML
    cat >"$dir/src/main.rs" <<RS
fn main() {
    println!("{}", std::any::type_name::<${crate//-/_}::$(client_type "$crate")>());
}
RS
    cp "$WORK/${rev_of[$side]}/Cargo.lock" "$dir/Cargo.lock"
}

build() {
    cargo build --quiet --offline --manifest-path "$WORK/app-$1-$2/Cargo.toml" --profile "$3" >&2
}

# seconds of one whole build of the side's binary from an empty target directory
cold_build() {
    local t0 t1
    rm -rf "$WORK/cold-target"
    t0=$(date +%s.%N)
    CARGO_TARGET_DIR="$WORK/cold-target" build "$@"
    t1=$(date +%s.%N)
    rm -rf "$WORK/cold-target"
    echo "$t1 - $t0" | bc
}

# seconds of one rebuild of the side's workspace crates and the binary
rebuild() {
    touch "$WORK/${rev_of[$1]}/connector-core/src/lib.rs"
    local t0 t1
    t0=$(date +%s.%N)
    build "$@"
    t1=$(date +%s.%N)
    echo "$t1 - $t0" | bc
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "- Machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), $(uname -sr); $(rustc --version)"
echo "- Commits: $(IFS=,; echo "${names[*]}" | sed 's/,/, /g') (the first is the baseline)"
echo "- +seed: default-features = false; connector-moco with $SEED_MOCO; connector-konverte with $SEED_KONVERTE"
echo "- Load average when the run started: $(cut -d' ' -f1-3 /proc/loadavg)"
if [[ $COLD == 1 ]]; then
    echo "- Method: a fresh binary crate per backend and commit, $REPS whole build(s) each from an empty target directory (every dependency compiled, CARGO_INCREMENTAL=0), commits taking turns; median"
else
    echo "- Method: a fresh binary crate per backend and commit, dependencies warmed by a first build; then $REPS rebuild(s) of connector-core + the backend + the binary (touch connector-core, CARGO_INCREMENTAL=0), commits taking turns; median"
fi
echo
header="| crate | profile |"
rule="| --- | --- |"
for s in "${sides[@]}"; do header+=" $s |"; rule+=" --- |"; done
for s in "${sides[@]:1}"; do header+=" $s / ${sides[0]} |"; rule+=" --- |"; done
echo "$header runs (s) |"
echo "$rule --- |"

for crate in $CRATES; do
    for side in "${sides[@]}"; do make_app "$side" "$crate"; done
    for profile in $PROFILES; do
        # Warm every side: without the backend's default features some registry crates
        # compile with other features (no axum: hyper without its server parts), so a `+seed`
        # side is not warmed by its commit's build.
        if [[ $COLD != 1 ]]; then
            for side in "${sides[@]}"; do build "$side" "$crate" "$profile"; done
        fi
        declare -A runs=()
        for _ in $(seq "$REPS"); do
            for side in "${sides[@]}"; do
                if [[ $COLD == 1 ]]; then
                    runs[$side]+="$(cold_build "$side" "$crate" "$profile") "
                else
                    runs[$side]+="$(rebuild "$side" "$crate" "$profile") "
                fi
            done
        done
        row="| $crate | $profile |"
        declare -A med=()
        for side in "${sides[@]}"; do
            med[$side]=$(tr ' ' '\n' <<<"${runs[$side]}" | grep . | median)
            row+=" $(printf '%.1f' "${med[$side]}") s |"
        done
        for side in "${sides[@]:1}"; do
            row+=" $(echo "scale=2; ${med[$side]} / ${med[${sides[0]}]}" | bc)x |"
        done
        detail=""
        for side in "${sides[@]}"; do detail+="$side: $(for r in ${runs[$side]}; do printf '%.1f ' "$r"; done)"; done
        echo "$row $detail|"
        unset runs med
    done
done
echo
echo "- Load average when the run ended: $(cut -d' ' -f1-3 /proc/loadavg)"
