#!/usr/bin/env bash
# Mutation testing: plants one deliberate bug at a time (scripts/mutations.txt), builds, runs the
# tests that should notice, and scores how many bugs they caught.
#
#   scripts/mutation-test.sh                      every mutation of the list
#   scripts/mutation-test.sh --only NAME[,NAME]   just these
#   scripts/mutation-test.sh --list FILE          another list
#   scripts/mutation-test.sh --check              only check that every snippet is in the working tree, once
#
# The mutations are applied to a copy of the working tree in .build/mutation/tree (its build folder
# is kept between runs, so after the first build each mutation rebuilds incrementally: seconds for
# a Swift file, about a minute for a kernel). The working tree itself is only read; the copy's
# mutated file is restored after every mutation and on any exit, Ctrl-C included.
#
# The copy builds in debug with -O: a release build recompiles the whole module for every
# mutation (minutes), a plain debug build runs the CPU backend's loops 10-50× slower.
#
# Outcomes: killed (a test failed, crashed or timed out), survived (every test passed), not
# compiled (the build failed: the compiler caught it, not a test), snippet not found (the code
# changed since the list was written; update the list). Score = killed / (killed + survived).
# Exit status: 0 when every mutation of the list could be applied, 1 otherwise.
set -uo pipefail
shopt -u patsub_replacement 2>/dev/null || true  # keep '&' in a replacement literal (bash 5.2)

root=$(cd "$(dirname "$0")/.." && pwd)
list=$root/scripts/mutations.txt
only=""
check_only=0
work=${VDROP_MUTATION_DIR:-$root/.build/mutation}
test_timeout=${VDROP_MUTATION_TIMEOUT:-900}
swift=${SWIFT:-swift}

while [ $# -gt 0 ]; do
    case $1 in
        --list) list=$2; shift 2 ;;
        --only) only=$2; shift 2 ;;
        --check) check_only=1; shift ;;
        -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "mutation-test.sh: unknown argument '$1' (see --help)." >&2; exit 2 ;;
    esac
done
[ -f "$list" ] || { echo "mutation-test.sh: no mutation list at $list." >&2; exit 2; }

tree=$work/tree
logs=$work/logs
mkdir -p "$tree" "$logs"
rm -f "$logs"/*.log

# --- The copy: the working tree's tracked and untracked-but-not-ignored files. Only files whose
# content differs are rewritten, so the copy's build stays incremental.
sync_tree() {
    local staging=$work/staging
    rm -rf "$staging" && mkdir -p "$staging"
    (cd "$root" && git ls-files -z -co --exclude-standard | while IFS= read -r -d '' f; do
        [ -f "$f" ] && printf '%s\0' "$f"; done | tar --null -T - -cf -) | (cd "$staging" && tar -xf -)
    # Remove what the working tree no longer has (the copy's build folder stays).
    (cd "$tree" && find . -path ./.build -prune -o -type f -print) | while IFS= read -r f; do
        [ -e "$staging/$f" ] || rm -f "$tree/$f"
    done
    (cd "$staging" && find . -type f -print) | while IFS= read -r f; do
        if ! cmp -s "$staging/$f" "$tree/$f"; then mkdir -p "$(dirname "$tree/$f")"; cp -p "$staging/$f" "$tree/$f"; fi
    done
    rm -rf "$staging"
}

# --- Restoring: at most one file of the copy is mutated at a time.
mutated_file=""
backup=$work/original
restore() {
    if [ -n "$mutated_file" ]; then cp -p "$backup" "$mutated_file"; mutated_file=""; fi
}
interrupted() { restore; echo; echo "Interrupted; the copy is restored and the working tree was never changed."; print_table; exit 130; }
trap restore EXIT
trap interrupted INT TERM

build() {  # build log → $1; status 0 when it built
    (cd "$tree" && "$swift" build -c debug -Xswiftc -O --build-tests) >"$1" 2>&1
}

run_tests() {  # filter, log → status of the test run (124: timed out)
    local filter=$1 log=$2 specs="" spec
    IFS=',' read -r -a parts <<<"$filter"
    for spec in "${parts[@]}"; do
        spec=$(echo "$spec" | xargs)
        [ -z "$spec" ] && continue
        [[ $spec == *.* ]] || spec="VDropTests.$spec"
        specs=${specs:+$specs,}$spec
    done
    (cd "$tree" && timeout "$test_timeout" .build/debug/vdropPackageTests.xctest "$specs") >"$log" 2>&1
}

# --- The list: name @@ file @@ snippet @@ replacement @@ tests (comma-separated test classes or
# Class/testMethod). '#' starts a comment line.
names=() files=() snippets=() replacements=() filters=()
trim() { local s=$1; s=${s#"${s%%[![:space:]]*}"}; s=${s%"${s##*[![:space:]]}"}; printf '%s' "$s"; }
while IFS= read -r line || [ -n "$line" ]; do
    [[ $line =~ ^[[:space:]]*(#|$) ]] && continue
    rest=$line fields=()
    while [[ $rest == *"@@"* ]]; do fields+=("$(trim "${rest%%@@*}")"); rest=${rest#*@@}; done
    fields+=("$(trim "$rest")")
    if [ ${#fields[@]} -ne 5 ]; then echo "mutation-test.sh: not 5 fields separated by @@: $line" >&2; exit 2; fi
    if [ -n "$only" ] && [[ ",$only," != *",${fields[0]},"* ]]; then continue; fi
    names+=("${fields[0]}") files+=("${fields[1]}") snippets+=("${fields[2]}") replacements+=("${fields[3]}") filters+=("${fields[4]}")
done <"$list"
[ ${#names[@]} -gt 0 ] || { echo "mutation-test.sh: no mutation selected." >&2; exit 2; }

# Where `snippet` stands in the text of `file`: found (once), "snippet not found", "snippet not unique".
locate() {
    local file=$1 snippet=$2 content after
    [ -f "$file" ] || { echo "file not found"; return; }
    content=$(cat "$file"; printf x); content=${content%x}
    after=${content#*"$snippet"}
    if [ "$after" == "$content" ]; then echo "snippet not found"
    elif [[ $after == *"$snippet"* ]]; then echo "snippet not unique"
    else echo "found"; fi
}

if [ $check_only = 1 ]; then
    status=0
    for i in "${!names[@]}"; do
        where=$(locate "$root/${files[$i]}" "${snippets[$i]}")
        if [ "$where" != found ]; then printf '%-34s %s in %s\n' "${names[$i]}" "$where" "${files[$i]}"; status=1; fi
    done
    [ $status = 0 ] && echo "All ${#names[@]} snippets are in the working tree, each once."
    exit $status
fi

results=() seconds=()
print_table() {
    local i killed=0 survived=0 other=0
    printf '\n%-34s %-20s %6s  %s\n' "mutation" "outcome" "s" "file"
    for i in "${!results[@]}"; do
        printf '%-34s %-20s %6s  %s\n' "${names[$i]}" "${results[$i]}" "${seconds[$i]}" "${files[$i]}"
        case ${results[$i]} in
            killed*) killed=$((killed + 1)) ;;
            survived*) survived=$((survived + 1)) ;;
            *) other=$((other + 1)) ;;
        esac
    done
    local scored=$((killed + survived))
    if [ $scored -gt 0 ]; then
        printf '\nScore: %d of %d mutants killed (%d%%)' $killed $scored $((100 * killed / scored))
    else
        printf '\nScore: no mutant was tested'
    fi
    [ $other -gt 0 ] && printf '; %d not scored (not compiled or snippet not found)' $other
    printf '.\nLogs: %s\n' "$logs"
}

echo "Copying the working tree to $tree ..."
sync_tree
echo "Building the unmutated copy (the first time takes several minutes) ..."
if ! build "$logs/baseline-build.log"; then
    echo "The unmutated tree does not build; see $logs/baseline-build.log." >&2; exit 1
fi
all_filters=$(IFS=,; echo "${filters[*]}" | tr ',' '\n' | xargs -n1 | sort -u | paste -sd, -)
echo "Running the selected tests on the unmutated copy ..."
if ! run_tests "$all_filters" "$logs/baseline-tests.log"; then
    echo "The selected tests fail without any mutation; a score would mean nothing. See $logs/baseline-tests.log." >&2
    exit 1
fi

for i in "${!names[@]}"; do
    name=${names[$i]} file=$tree/${files[$i]} snippet=${snippets[$i]} replacement=${replacements[$i]}
    start=$SECONDS
    printf '%-34s ' "$name"
    where=$(locate "$file" "$snippet")
    if [ "$where" != found ]; then
        results[$i]=$where
    else
        content=$(cat "$file"; printf x); content=${content%x}
        cp -p "$file" "$backup"
        mutated_file=$file
        printf '%s' "${content/"$snippet"/"$replacement"}" >"$file"
        if ! build "$logs/$name.build.log"; then
            results[$i]="not compiled"
        else
            run_tests "${filters[$i]}" "$logs/$name.log"
            case $? in
                0) results[$i]="survived" ;;
                124) results[$i]="killed (timeout)" ;;
                *) results[$i]="killed" ;;
            esac
            skipped=$(grep -Eo 'with [0-9]+ tests? skipped' "$logs/$name.log" | tail -1 | grep -Eo '[0-9]+')
            [ -n "$skipped" ] && [ "$skipped" != 0 ] && results[$i]="${results[$i]} ($skipped skipped)"
        fi
        restore
    fi
    seconds[$i]=$((SECONDS - start))
    echo "${results[$i]} (${seconds[$i]} s)"
done

print_table
for r in "${results[@]}"; do [[ $r == snippet* || $r == file* ]] && exit 1; done
exit 0
