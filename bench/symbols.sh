#!/usr/bin/env bash
# The symbol stage on a library with >= 100k dynamic symbols (generated): bytes read, which sections they came from,
# and time per lookup; then a whole `nativelinkguard check` of a link against it. Not a timed test.
# Usage: bench/symbols.sh [SYMBOLS] [LOOKUPS]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
count=${1:-120000}
lookups=${2:-10000}
work=$(mktemp -d /tmp/nlg-symbols.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"

# Assembly, not C: 120k tiny functions assemble in about a second. Two symbol versions exercise DT_VERSYM/DT_VERDEF,
# and one reference to libc exercises DT_VERNEED.
python3 - "$count" <<'PY'
import sys
n = int(sys.argv[1])
with open("big.s", "w") as f:
    f.write(".text\n")
    for i in range(n):
        f.write(f".globl sym_{i:06d}\n.type sym_{i:06d},@function\nsym_{i:06d}:\n ret\n")
    f.write(".globl call_puts\ncall_puts:\n jmp puts@PLT\n")
    f.write('.section .note.GNU-stack,"",@progbits\n')
with open("big.map", "w") as f:
    f.write("BIG_1.0 { global: sym_0*; call_puts; local: *; };\nBIG_2.0 { global: sym_1*; } BIG_1.0;\n")
PY
gcc -c big.s -o big.o
gcc -shared -Wl,--version-script,big.map -Wl,-soname,libbig.so -o libbig.so big.o
echo 'int sym_000042(void); int main(void){ return sym_000042(); }' > main.c
gcc -c main.c
echo "dynamic symbols: $(readelf --dyn-syms -W libbig.so | grep -c ' sym_')"

dotnet build "$repo/bench/SymbolBench" -c Release -v q -nologo >/dev/null
sections=$(readelf -S -W libbig.so | sed 's/^ *\[ *[0-9]*\]//' | awk '$1 ~ /^\.(dynamic|dynsym|dynstr|gnu\.hash|hash|gnu\.version.*)$/ {print $1"="$4":"$5}')
for n in 100 "$lookups"; do
  echo "--- $n lookups"
  dotnet "$repo/bench/SymbolBench/bin/Release/net10.0/SymbolBench.dll" "$work/libbig.so" "$n" $sections
done

dotnet build "$repo/src/NativeLinkGuard.Cli" -c Release -v q -nologo >/dev/null
nlg="$repo/src/NativeLinkGuard.Cli/bin/Release/net10.0/nativelinkguard"
"$nlg" check -- gcc -o app main.o -L. -lbig >/dev/null   # warm the linker probe cache
start=$(date +%s%N); "$nlg" check -- gcc -o app main.o -L. -lbig >/dev/null; end=$(date +%s%N)
echo "nativelinkguard check -- gcc -o app main.o -L. -lbig: $(( (end - start) / 1000000 )) ms (prediction: succeeds)"
start=$(date +%s%N); gcc -o app main.o -L. -lbig; end=$(date +%s%N)
echo "the real link:                                      $(( (end - start) / 1000000 )) ms"
