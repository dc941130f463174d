#!/usr/bin/env bash
# Reproduces the CUDA-stubs failure with tiny C files (no CUDA needed) and checks the link with NativeLinkGuard.
# Usage: samples/cuda-stubs/run-demo.sh [extra check options, e.g. --format json]
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/nlg-demo.XXXXXX)
cd "$work"
mkdir -p cuda/lib64/stubs build/bin
# The driver stub: file libcuda.so with SONAME libcuda.so.1, and no file named libcuda.so.1 (as in the CUDA toolkit).
echo 'int cuMemCreate(void){return 0;}' > cuda.c
gcc -shared -fPIC -Wl,-soname,libcuda.so.1 -o cuda/lib64/stubs/libcuda.so cuda.c
echo 'int cuMemCreate(void); int ggml_cuda_init(void){return cuMemCreate();}' > ggml-cuda.c
gcc -shared -fPIC -o build/bin/libggml-cuda.so ggml-cuda.c -Lcuda/lib64/stubs -lcuda
echo 'int ggml_cuda_init(void); int main(void){return ggml_cuda_init();}' > test_dflash.c
gcc -c test_dflash.c
export CUDA_HOME="$work/cuda" LIBRARY_PATH="$work/cuda/lib64/stubs"
echo "== in $work: gcc -o test_dflash test_dflash.o -Lbuild/bin -lggml-cuda"
set +e
dotnet run --project "$repo/src/NativeLinkGuard.Cli" -v q -- check "$@" -- gcc -o test_dflash test_dflash.o -Lbuild/bin -lggml-cuda
rc=$?
echo "== nativelinkguard exit code: $rc (1 = the link is predicted to fail)"
echo "== the real link says:"
gcc -o test_dflash test_dflash.o -Lbuild/bin -lggml-cuda
echo "== real link exit code: $?"
