#!/usr/bin/env bash
# Builds the libFuzzer targets in Fuzz/ (with AddressSanitizer) and runs each one on its seeds.
#
#   scripts/fuzz.sh              60 seconds per target
#   scripts/fuzz.sh smoke        3 seconds per target (CI, after the tests)
#   scripts/fuzz.sh 300s         300 seconds per target
#   scripts/fuzz.sh 1000000      one million executions per target
#   scripts/fuzz.sh 1000000 IDX  only the named targets (IDX CIFAR Gzip SafeTensors TuningReport Exported ONNX)
#
# New inputs that reach new code go to Fuzz/.build/corpus/TARGET (the committed seeds in
# Fuzz/corpus/TARGET stay as they are). A crash stops the run and leaves its input in
# Fuzz/.build/crashes/; make it a test in Tests/VDropTests/Fuzz before fixing it.
set -euo pipefail
cd "$(dirname "$0")/.."

all=(IDX CIFAR Gzip SafeTensors TuningReport Exported ONNX)
budget="${1:-60s}"
[ $# -gt 0 ] && shift
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all[@]}")

case "$budget" in
    smoke) limit=(-max_total_time=3) ;;
    *[0-9]s) limit=(-max_total_time="${budget%s}") ;;
    *[!0-9]* | "") echo "usage: scripts/fuzz.sh [smoke | SECONDSs | RUNS] [TARGET...]" >&2; exit 2 ;;
    *) limit=(-runs="$budget") ;;
esac

# One build of the Fuzz package; the root package's own build is left alone.
flags=(-c release --package-path Fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library)
echo "Building the fuzz targets (libFuzzer + AddressSanitizer)..."
# gold warns once per target about an ASan symbol it cannot export; that is harmless.
swift build "${flags[@]}" 2>&1 | grep -v "Cannot export local symbol '__asan_extra_spill_area'" || true
bin="$(swift build "${flags[@]}" --show-bin-path)"

failed=0
for target in "${targets[@]}"; do
    executable="$bin/Fuzz$target"
    if [ ! -x "$executable" ]; then
        echo "No fuzz target $target (built: ${all[*]}); the build above failed or the name is wrong." >&2
        exit 1
    fi
    work="Fuzz/.build/corpus/$target"
    crashes="Fuzz/.build/crashes/$target"
    log="Fuzz/.build/fuzz-$target.log"
    mkdir -p "$work" "$crashes"
    # Swift's runtime keeps caches it never frees, which LeakSanitizer would report as leaks of
    # the first input that touches them: leaks are not what these targets look for.
    if "$executable" "${limit[@]}" -detect_leaks=0 -print_final_stats=1 -artifact_prefix="$crashes/" \
        "$work" "Fuzz/corpus/$target" >"$log" 2>&1; then
        runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")"
        speed="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")"
        seconds="$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log")"
        printf '%-13s %10s executions in %4s s (%s/s), no crash\n' "$target" "$runs" "${seconds:-?}" "$speed"
    else
        failed=1
        echo "$target: the fuzzer found a crash. Its log ($log) ends:" >&2
        tail -n 30 "$log" >&2
        echo "The input is in $crashes/; replay it with: $executable $crashes/<file>" >&2
    fi
done
exit "$failed"
