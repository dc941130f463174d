#!/usr/bin/env bash
# Times `nativelinkguard cmake` on tests/cmake-project configured (not built) with each generator, end to end
# (process start, File API read, toolchain probes, every link). Usage: bench/cmake-check.sh [runs]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-5}
dotnet build "$repo/src/NativeLinkGuard.Cli" -c Release -v q -nologo >/dev/null
nlg="$repo/src/NativeLinkGuard.Cli/bin/Release/net10.0/nativelinkguard"
work=$(mktemp -d /tmp/nlg-cmake-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/stubs"
gcc -shared -fPIC -Wl,-soname,libcuda.so.1 -o "$work/stubs/libcuda.so" "$repo/tests/cmake-project/cuda-stub.c"
for gen in "Unix Makefiles" Ninja; do
  command -v ninja >/dev/null || [ "$gen" != Ninja ] || continue
  b="$work/build-${gen// /-}"
  mkdir -p "$b/.cmake/api/v1/query" && touch "$b/.cmake/api/v1/query/codemodel-v2" "$b/.cmake/api/v1/query/toolchains-v1"
  cmake -S "$repo/tests/cmake-project" -B "$b" -G "$gen" -DCUDA_STUBS_DIR="$work/stubs" >/dev/null
  best=999999
  for _ in $(seq "$runs"); do
    s=$(date +%s%N); "$nlg" cmake "$b" >/dev/null || true; e=$(date +%s%N)
    ms=$(( (e - s) / 1000000 )); [ "$ms" -lt "$best" ] && best=$ms
  done
  echo "nativelinkguard cmake ($gen, 3 targets): best of $runs runs ${best} ms (target: < 2000 ms)"
done
