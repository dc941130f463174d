#!/usr/bin/env bash
# How much of a 1 GiB shared library each reader pulls into the page cache.
#
#   bench/pagecache.sh [SOURCE.so]
#
# Copies SOURCE (default: the system libc, else a gcc-built library) to a temp dir, grows it to 1 GiB with
# truncate (the ELF headers, dynamic section and string table stay at the front; the rest is a hole), then for
# each command: evicts the file from the page cache (fsync + POSIX_FADV_DONTNEED), runs the command on it, and
# prints the file's page-cache residency as reported by fincore.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/nlg-pagecache.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

src=${1:-/lib/x86_64-linux-gnu/libc.so.6}
big="$tmp/libbig.so"
if [[ -f "$src" ]]; then
    cp "$src" "$big"
else
    command -v gcc >/dev/null || { echo "no $src and no gcc" >&2; exit 2; }
    printf '#include <math.h>\ndouble x(double v) { return sqrt(v); }\n' > "$tmp/x.c"
    gcc -shared -fPIC -Wl,-soname,libbig.so -o "$big" "$tmp/x.c" -lm
    src="gcc-built library"
fi
original_size=$(stat -c %s "$big")
truncate -s 1G "$big"

for tool in python3 fincore; do
    command -v "$tool" >/dev/null || { echo "needs $tool" >&2; exit 2; }
done

# Build the probe first, so that building is not what gets measured.
probe_dir="$tmp/probe"
dotnet build "$here/ElfProbe/ElfProbe.csproj" -c Release -o "$probe_dir" -nologo -v quiet >/dev/null
probe="$probe_dir/ElfProbe"

evict() {
    python3 -c 'import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
os.fsync(fd)
os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
os.close(fd)' "$1"
}

resident() { fincore --bytes --noheadings "$1" | awk '{ print $1 }'; }

commands=(
    "true"
    "head -c 4096 FILE"
    "readelf -d FILE"
    "readelf -hld FILE"
)
if command -v libtree >/dev/null; then commands+=("libtree FILE"); else echo "# libtree not installed (apt package libtree): skipped" >&2; fi
commands+=("$probe FILE")

echo "# file: $src ($original_size bytes) grown to $(stat -c %s "$big") bytes; page size $(getconf PAGESIZE)"
printf '%-14s %-12s %s\n' "resident_B" "resident_KiB" "command"
for cmd in "${commands[@]}"; do
    evict "$big"
    before=$(resident "$big")
    line=${cmd//FILE/$big}
    # shellcheck disable=SC2086 # word splitting of the command line is intended
    $line >/dev/null 2>&1 || true
    after=$(resident "$big")
    shown=${cmd/#$probe/ElfProbe}
    printf '%-14s %-12s %s%s\n' "$after" "$((after / 1024))" "$shown" "$([[ $before != 0 ]] && echo "  (eviction left $before)")"
done
