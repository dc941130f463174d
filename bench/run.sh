#!/usr/bin/env bash
# The benchmark suite: NativeLinkGuard side by side with libtree and the real linker, in one run (this machine is
# noisy: ratios of medians measured together are the result, absolute times only context).
#   bench/run.sh            all benchmarks (about 2 minutes on 2 cores)
# Needs gcc, patchelf, libtree, cmake, python3 (installed with apt-get when missing and running as root).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-5}
need=""
for t in gcc patchelf libtree cmake python3 fincore /usr/bin/time; do command -v "$t" >/dev/null || need="$need $t"; done
if [ -n "$need" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gcc patchelf libtree cmake python3 util-linux time >/dev/null
fi

echo "== building the NativeAOT CLI"
dotnet publish "$repo/src/NativeLinkGuard.Cli" -c Release -r linux-x64 -p:PublishAot=true -o "$repo/artifacts/aot" -v q -nologo >/dev/null
nlg="$repo/artifacts/aot/nativelinkguard"
work=$(mktemp -d /tmp/nlg-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

# median_ms CMD...: runs CMD $runs times, prints the median wall time in ms (output discarded, exit status ignored).
# The clock is bash's $EPOCHREALTIME (microseconds): forking `date` around each run added its own time and noise.
median_ms() {
  local t=()
  for _ in $(seq "$runs"); do
    local s e; s=${EPOCHREALTIME/[.,]/}; "$@" >/dev/null 2>&1 || true; e=${EPOCHREALTIME/[.,]/}; t+=($(( (e - s) / 1000 )))
  done
  printf '%s\n' "${t[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p"
}
# medians_ms F...: runs the functions F in turn, $runs rounds, and prints each one's median wall time in ms on one
# line. A ratio's two sides are measured in the same rounds, under the same load: on a shared VM whose speed drifts
# from minute to minute, timing one side's runs after the other's measured the drift.
medians_ms() {
  local -A t=()
  local f
  for _ in $(seq "$runs"); do
    for f in "$@"; do
      local s e; s=${EPOCHREALTIME/[.,]/}; "$f" >/dev/null 2>&1 || true; e=${EPOCHREALTIME/[.,]/}
      t[$f]+="$(( (e - s) / 1000 )) "
    done
  done
  for f in "$@"; do printf '%s\n' ${t[$f]} | sort -n | sed -n "$(( (runs + 1) / 2 ))p"; done | tr '\n' ' '
  echo # a whole line: `read` fails (and set -e stops the script) on one without its newline
}
ratio() { python3 -c "print(f'{$1/$2:.2f}')"; }

echo "== 1. runtime over a generated tree vs libtree (load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores)"
python3 "$repo/bench/gen-tree.py" "$work/tree" >/dev/null
mapfile -t files < "$work/tree/files.txt"
"$nlg" runtime --ld-library-path "" "${files[0]}" >/dev/null 2>&1 || true   # warm the probe cache
lt_run() { libtree "${files[@]}"; }
text_run() { "$nlg" runtime --ld-library-path "" "${files[@]}"; }
json_run() { "$nlg" runtime --ld-library-path "" --format json "${files[@]}"; }
read -r lt rt rj < <(medians_ms lt_run text_run json_run)
lookups=$("$nlg" runtime --ld-library-path "" --format json "${files[@]}" | grep -c '"neededBy"' || true)
echo "runtime: ${#files[@]} roots, $lookups DT_NEEDED lookups: nativelinkguard ${rt} ms, libtree ${lt} ms, ratio $(ratio "$rt" "$lt") (target <= 1.0)"
echo "runtime --format json (every lookup listed): nativelinkguard ${rj} ms, ratio to libtree $(ratio "$rj" "$lt")"
# CPU time (user + system, from the children's rusage) beside the wall time: with 64 roots or more the runtime
# check reads the roots ahead on a second thread, so its wall time is less than its CPU time; libtree uses one.
cpu_ms() {
  python3 -c 'import resource, subprocess, sys
ts = []
for _ in range(int(sys.argv[1])):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    ts.append((after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000)
print(round(sorted(ts)[len(ts) // 2]))' "$runs" "$@"
}
echo "runtime CPU time (user + system, median): nativelinkguard $(cpu_ms "$nlg" runtime --ld-library-path "" "${files[@]}") ms," \
  "libtree $(cpu_ms libtree "${files[@]}") ms"
# Peak RSS (GNU time's maximum resident set size, KiB) of one run of each, output discarded.
peak_kb() { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1; }
if [ -x /usr/bin/time ]; then
  echo "runtime peak RSS: nativelinkguard text $(peak_kb "$nlg" runtime --ld-library-path "" "${files[@]}") KiB," \
    "json $(peak_kb "$nlg" runtime --ld-library-path "" --format json "${files[@]}") KiB," \
    "libtree $(peak_kb libtree "${files[@]}") KiB (target <= 24 MB)"
fi
# What each answer is worth: roots the real loader refuses (ld.so itself, one run per root), next to the roots each
# tool flags. libtree expands each library once per run, so only the first root that reaches a gap is flagged.
real_bad=0
for f in "${files[@]}"; do
  # (captured first: with pipefail, grep -q closing the pipe early would make the loader's SIGPIPE count as a miss)
  out=$(LD_TRACE_LOADED_OBJECTS=1 LD_LIBRARY_PATH= /lib64/ld-linux-x86-64.so.2 "$f" 2>&1 || true)
  if [[ $out == *"not found"* ]]; then real_bad=$((real_bad + 1)); fi
done
nlg_bad=$("$nlg" runtime --ld-library-path "" "${files[@]}" 2>/dev/null | grep -c ': does NOT load$' || true)
lt_bad=$(libtree "${files[@]}" 2>&1 >/dev/null | grep -c '^Error' || true)
echo "runtime: roots that do not load: ld.so ${real_bad}, nativelinkguard ${nlg_bad}, libtree ${lt_bad}"

echo "== 2. check of a CUDA-like link vs the real link"
mkdir -p "$work/cuda/lib64/stubs" "$work/cuda/build"
cd "$work/cuda"
echo 'int cuMemCreate(void){return 0;}' > c.c && gcc -shared -fPIC -Wl,-soname,libcuda.so.1 -o lib64/stubs/libcuda.so c.c
echo 'int cuMemCreate(void); int g(void){return cuMemCreate();}' > g.c && gcc -shared -fPIC -o build/libggml-cuda.so g.c -Llib64/stubs -lcuda
echo 'int g(void); int main(void){return g();}' > m.c && gcc -c m.c
mkdir -p fix && ln -sf "$work/cuda/lib64/stubs/libcuda.so" fix/libcuda.so.1
link=(gcc -o test_dflash m.o -Lbuild -lggml-cuda)
fixed=(gcc -o test_dflash m.o -Lbuild -lggml-cuda -Wl,-rpath-link,fix)
"$nlg" check -- "${link[@]}" >/dev/null 2>&1 || true
check_failing() { "$nlg" check -- "${link[@]}"; }
link_failing() { "${link[@]}"; }
check_passing() { "$nlg" check -- "${fixed[@]}"; }
link_passing() { "${fixed[@]}"; }
read -r c1 l1 c2 l2 < <(medians_ms check_failing link_failing check_passing link_passing)
echo "check, failing link (fixes verified): ${c1} ms vs real link ${l1} ms, ratio $(ratio "$c1" "$l1") (target <= 0.5)"
echo "check, passing link:                  ${c2} ms vs real link ${l2} ms, ratio $(ratio "$c2" "$l2") (target <= 0.5)"
cd "$repo"

echo "== 3. cmake on a generated 200-target project"
p="$work/cmake"; mkdir -p "$p/src"
{
  echo 'cmake_minimum_required(VERSION 3.16)'; echo 'project(bench C)'
  for i in $(seq 0 99); do
    echo "int f$i(void){return $i;}" > "$p/src/l$i.c"
    echo "add_library(l$i SHARED src/l$i.c)"
    [ "$i" -gt 0 ] && echo "target_link_libraries(l$i PRIVATE l$((i - 1)))"
    echo "int f$i(void); int main(void){return f$i();}" > "$p/src/m$i.c"
    echo "add_executable(m$i src/m$i.c)"; echo "target_link_libraries(m$i PRIVATE l$i)"
  done
} > "$p/CMakeLists.txt"
mkdir -p "$p/build/.cmake/api/v1/query" && touch "$p/build/.cmake/api/v1/query/codemodel-v2" "$p/build/.cmake/api/v1/query/toolchains-v1"
cmake -S "$p" -B "$p/build" >/dev/null
"$nlg" cmake "$p/build" >/dev/null 2>&1 || true
cm=$(median_ms "$nlg" cmake "$p/build")
echo "cmake: 200 targets checked in ${cm} ms (target < 2000 ms)"

echo "== 4. page cache from a 1 GiB library"
bash "$repo/bench/pagecache.sh" /lib/x86_64-linux-gnu/libc.so.6 "$nlg" | tail -5

echo "== 5. MSBuild overhead"
c="$work/consumer"; mkdir -p "$c"
dotnet build "$repo/src/NativeLinkGuard.Tasks" -c Release -v q -nologo >/dev/null
cat > "$c/Consumer.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally></PropertyGroup>
  <Import Project="$repo/build/NativeLinkGuard.props" />
  <PropertyGroup><NativeLinkGuardTasksAssembly>$repo/src/NativeLinkGuard.Tasks/bin/Release/net8.0/NativeLinkGuard.Tasks.dll</NativeLinkGuardTasksAssembly></PropertyGroup>
  <ItemGroup><NativeLink Include="test_dflash" Command="gcc -o test_dflash m.o -Lbuild -lggml-cuda" WorkingDirectory="$work/cuda" /></ItemGroup>
  <Import Project="$repo/build/NativeLinkGuard.targets" />
</Project>
XML
echo 'System.Console.WriteLine("hi");' > "$c/Program.cs"
echo '<Project />' > "$c/Directory.Build.props"; echo '<Project />' > "$c/Directory.Packages.props"
dotnet build "$c" -nologo -v q >/dev/null 2>&1 || true
target_ms() { dotnet build "$c" --no-restore -nologo -v m -clp:PerformanceSummary "$@" 2>/dev/null | awk '/Target Performance Summary/{f=1} f && $0 ~ /NativeLinkGuardCheck/ {print $1; exit}'; }
warm=$(target_ms); warm=${warm:-?}
build_off() { dotnet build "$c" --no-restore -nologo -v q -p:NativeLinkGuardEnabled=false; }
build_on() { dotnet build "$c" --no-restore -nologo -v q; }
read -r off on < <(medians_ms build_off build_on)
echo "MSBuild no-change rebuild: NativeLinkGuardCheck target ${warm} ms (replayed from its stamp; target < 50 ms); whole build ${on} ms with the check vs ${off} ms without"
echo "== done ($(date -u +%Y-%m-%d), $(nproc) cores, $(uname -r))"
