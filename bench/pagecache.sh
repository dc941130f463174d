#!/usr/bin/env bash
# Page-cache residency of a 1 GiB shared library after each tool inspects it (lower is better).
# A real .so is extended to 1 GiB with truncate; before each tool the file is evicted (fsync + POSIX_FADV_DONTNEED),
# after it `fincore` reports the resident bytes. Usage: bench/pagecache.sh [path-to-nativelinkguard]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
nlg=${1:-}
if [ -z "$nlg" ]; then
  dotnet build "$repo/src/NativeLinkGuard.Cli" -c Release -v q -nologo >/dev/null
  nlg="$repo/src/NativeLinkGuard.Cli/bin/Release/net10.0/nativelinkguard"
fi
work=$(mktemp -d /tmp/nlg-pagecache.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"
echo 'int big_fn(void){return 1;}' > big.c
gcc -shared -fPIC -Wl,-soname,libbig.so -o libbig.so big.c -lm
truncate -s 1G libbig.so
echo 'int big_fn(void); int main(void){return big_fn()-1;}' > main.c
gcc -c main.c

evict() { python3 -c 'import os,sys; fd=os.open(sys.argv[1], os.O_RDONLY); os.fsync(fd); os.posix_fadvise(fd,0,0,os.POSIX_FADV_DONTNEED); os.close(fd)' "$1"; }
resident() { fincore --bytes --noheadings --output RES "$1" | tr -d ' '; }

printf '%-40s %12s\n' "tool" "resident bytes"
evict libbig.so; printf '%-40s %12s\n' "(after eviction)" "$(resident libbig.so)"
evict libbig.so; readelf -d libbig.so >/dev/null; printf '%-40s %12s\n' "readelf -d" "$(resident libbig.so)"
if command -v libtree >/dev/null; then
  evict libbig.so; libtree libbig.so >/dev/null 2>&1 || true; printf '%-40s %12s\n' "libtree" "$(resident libbig.so)"
fi
evict libbig.so; "$nlg" check -- gcc -o app main.o -L. -lbig >/dev/null || true
printf '%-40s %12s\n' "nativelinkguard check (gcc … -lbig)" "$(resident libbig.so)"
