#!/usr/bin/env bash
# The P/Invoke check of a build output with 10 native libraries (each with a dependency found through $ORIGIN):
# the in-process time the check reports (reading the assemblies, the host layout, every probe and the runtime
# engine's load of each found library) and the wall time of the whole command, median of RUNS (default 5).
#   bench/pinvoke.sh [nativelinkguard]      (default: the NativeAOT CLI, built into artifacts/aot when missing)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-5}
nlg=${1:-$repo/artifacts/aot/nativelinkguard}
if [ ! -x "$nlg" ]; then
  dotnet publish "$repo/src/NativeLinkGuard.Cli" -c Release -r linux-x64 -p:PublishAot=true -o "$repo/artifacts/aot" -v q -nologo >/dev/null
fi
work=$(mktemp -d /tmp/nlg-pinvoke-bench.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
mkdir -p "$work/app" "$work/fix"
echo 'int dep_value(void) { return 35; }' > "$work/fix/dep.c"
gcc -fPIC -shared -o "$work/fix/libnlgbdep.so.1" -Wl,-soname,libnlgbdep.so.1 "$work/fix/dep.c"
imports=""
for i in $(seq 0 9); do
  printf 'int dep_value(void);\nint f%s(void) { return dep_value() + %s; }\n' "$i" "$i" > "$work/fix/l$i.c"
  gcc -fPIC -shared -o "$work/fix/libnlgb$i.so" "$work/fix/l$i.c" -L"$work/fix" -l:libnlgbdep.so.1 -Wl,-rpath,'$ORIGIN'
  imports="$imports    [DllImport(\"nlgb$i\")] public static extern int f$i();"$'\n'
done
cat > "$work/app/Bench.csproj" <<'X'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally></PropertyGroup>
</Project>
X
echo '<Project />' > "$work/app/Directory.Build.props"; echo '<Project />' > "$work/app/Directory.Packages.props"
printf 'using System.Runtime.InteropServices;\nstatic class N\n{\n%s}\nstatic class P { static int Main() => N.f0() + N.f9(); }\n' "$imports" > "$work/app/Program.cs"
dotnet build "$work/app" -c Release -o "$work/out" -nodeReuse:false -v q -nologo >/dev/null
cp "$work"/fix/*.so* "$work/out/"
"$nlg" pinvoke "$work/out" >/dev/null || { echo "the check says a library does not load:"; "$nlg" pinvoke "$work/out"; exit 1; }
ins=() wall=()
for _ in $(seq "$runs"); do
  s=${EPOCHREALTIME/[.,]/}
  line=$("$nlg" pinvoke "$work/out" | tail -1)
  e=${EPOCHREALTIME/[.,]/}
  ins+=("$(sed -E 's/.*\(([0-9]+) ms\)$/\1/' <<<"$line")"); wall+=($(( (e - s) / 1000 )))
done
med() { printf '%s\n' "$@" | sort -n | sed -n "$(( (runs + 1) / 2 ))p"; }
echo "$line"
echo "pinvoke check, 10 native libraries: in-process $(med "${ins[@]}") ms, whole command $(med "${wall[@]}") ms (median of $runs)"
