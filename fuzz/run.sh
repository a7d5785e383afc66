#!/usr/bin/env bash
# Builds the fuzz targets with AFL++ instrumentation (cargo-afl, stable Rust) and runs
# each for a while, one after another; fails when any target crashed.
#
#   fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]     # default: 25 s, every target
#
# Installs what it needs when missing: gcc and make (apt-get), cargo-afl at a pinned
# version (which builds its own AFL++ from the source it ships). Works unattended
# (CI=true, no standard input). Findings are left in fuzz/target/afl/<target>/.
set -euo pipefail
cd "$(dirname "$0")"

CARGO_AFL_VERSION=0.18.2
ALL_TARGETS=(parse check rlp tx codec json admission)
seconds=${1:-25}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=("${ALL_TARGETS[@]}")
fi

# AFL++ is built from source by cargo-afl: it needs a C compiler and make.
if ! command -v cc >/dev/null || ! command -v make >/dev/null; then
    echo "== fuzz: installing gcc and make"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends gcc make libc6-dev </dev/null
fi
if ! cargo afl --version 2>/dev/null | grep -q "$CARGO_AFL_VERSION"; then
    echo "== fuzz: installing cargo-afl $CARGO_AFL_VERSION"
    cargo install --locked --force "cargo-afl@$CARGO_AFL_VERSION"
fi
# cargo-afl builds AFL++ and its runtime when installed; a failure there is only a
# warning, and a new rustc needs its own runtime: build it when it is missing.
afl_help=$(cargo afl fuzz -h 2>&1 || true)
if grep -q "config --build" <<<"$afl_help"; then
    cargo afl config --build --force
fi

# cargo-afl adds `-C target-cpu=native`; build for the baseline instead, like every
# other build of this project (a later flag wins).
export RUSTFLAGS="-C target-cpu=x86-64"
echo "== fuzz: instrumented build"
cargo afl build --release --locked --features afl --bins
echo "== fuzz: seeds and regressions"
cargo afl test --release --locked --features afl --test corpus

# Unattended runs: no screen, no CPU-frequency or core-dump checks (CI machines are
# shared and not configured for fuzzing), no binding to a core others use.
export AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
export AFL_NO_AFFINITY=1 AFL_SKIP_CRASHES=0 AFL_QUIET=1

mkdir -p target/afl
crashed=()
for target in "${targets[@]}"; do
    out="target/afl/$target"
    rm -rf "$out"
    dictionary=()
    case "$target" in
        parse | check) dictionary=(-x assent.dict) ;;
        json | admission | codec) dictionary=(-x json.dict) ;;
    esac
    echo "== fuzz: $target for ${seconds}s"
    cargo afl fuzz -V "$seconds" -t 5000 "${dictionary[@]}" -i "seeds/$target" -o "$out" \
        -- "target/release/$target" </dev/null >"$out.log" 2>&1 || {
        tail -20 "$out.log" || true
        crashed+=("$target (afl-fuzz failed)")
        continue
    }
    stats="$out/default/fuzzer_stats"
    field() { sed -n "s/^$1 *: //p" "$stats"; }
    echo "   execs $(field execs_done), corpus $(field corpus_count), edges $(field edges_found)/$(field total_edges), crashes $(field saved_crashes), hangs $(field saved_hangs), $(field run_time)s"
    if [ "$(field saved_crashes)" != "0" ]; then
        crashed+=("$target")
        ls "$out/default/crashes/"
    fi
done

# The closing line counts targets: passed (ran, no crash) and failed.
if [ ${#crashed[@]} -gt 0 ]; then
    echo "fuzz: crashes in: ${crashed[*]} (inputs under fuzz/target/afl/<target>/default/crashes/)"
    echo "fuzz: $((${#targets[@]} - ${#crashed[@]})) passed, ${#crashed[@]} failed"
    exit 1
fi
echo "fuzz: ${#targets[@]} passed, 0 failed"
