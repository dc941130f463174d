#!/usr/bin/env bash
# Page-cache residency of a 1 GiB shared library after each tool inspects it (lower is better).
# A real .so is extended to 1 GiB with truncate; before each tool the file is evicted (fsync + POSIX_FADV_DONTNEED),
# after it `fincore` reports the resident bytes. Usage: bench/pagecache.sh [SOURCE.so] [path-to-nativelinkguard]
# SOURCE.so defaults to the system libc.so.6 (1.9 MB of real content; a tiny library fits in the first pages anyway).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
src=${1:-/lib/x86_64-linux-gnu/libc.so.6}
nlg=${2:-}
if [ -z "$nlg" ]; then
  dotnet build "$repo/src/NativeLinkGuard.Cli" -c Release -v q -nologo >/dev/null
  nlg="$repo/src/NativeLinkGuard.Cli/bin/Release/net10.0/nativelinkguard"
fi
work=$(mktemp -d /tmp/nlg-pagecache.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"
cp "$src" libbig.so
truncate -s 1G libbig.so
echo 'int main(void){return 0;}' > main.c
gcc -c main.c

evict() { python3 -c 'import os,sys; fd=os.open(sys.argv[1], os.O_RDONLY); os.fsync(fd); os.posix_fadvise(fd,0,0,os.POSIX_FADV_DONTNEED); os.close(fd)' "$1"; }
resident() { fincore --bytes --noheadings --output RES "$1" | tr -d ' '; }

printf '%-40s %12s\n' "tool" "resident bytes"
evict libbig.so; printf '%-40s %12s\n' "(after eviction)" "$(resident libbig.so)"
evict libbig.so; readelf -d libbig.so >/dev/null; printf '%-40s %12s\n' "readelf -d" "$(resident libbig.so)"
if command -v libtree >/dev/null; then
  evict libbig.so; libtree libbig.so >/dev/null 2>&1 || true; printf '%-40s %12s\n' "libtree" "$(resident libbig.so)"
fi
evict libbig.so; "$nlg" check -- gcc -o app main.o -L. -Wl,--no-as-needed -lbig >/dev/null || true
printf '%-40s %12s\n' "nativelinkguard check (gcc … -lbig)" "$(resident libbig.so)"
echo "source: $src ($(stat -c %s "$src") bytes) grown to 1 GiB; $(uname -sr)"
