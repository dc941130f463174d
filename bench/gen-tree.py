#!/usr/bin/env python3
"""Generates a CUDA/PyTorch-shaped tree of shared libraries for the runtime benchmark.

PACKAGES packages of PER libraries each (default 40 x 26 = 1,040 real files) under OUT/pkgN/lib:
  * deep chains: library j of a package needs library j+1 of the same package (depth PER);
  * cross-package edges through $ORIGIN/../../pkgQ/lib run paths, as wheels and conda packages do;
  * even packages use DT_RUNPATH, odd ones DT_RPATH (inherited by their dependencies);
  * soname symlink chains: libX.so -> libX.so.1 -> libX.so.1.0.0;
  * every tenth package has one library whose dependency does not exist anywhere.
Every library also needs libc and libm (found through /etc/ld.so.cache). Built from one gcc-compiled template that
patchelf gives its SONAME, DT_NEEDED and run path: about 1 s per 100 libraries on 2 cores.
Prints the real files, one per line, to OUT/files.txt.
"""
import os, random, subprocess, sys, shutil
from concurrent.futures import ThreadPoolExecutor

out = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "/tmp/nlg-tree")
packages = int(sys.argv[2]) if len(sys.argv) > 2 else 40
per = int(sys.argv[3]) if len(sys.argv) > 3 else 26
rng = random.Random(20261123)
shutil.rmtree(out, ignore_errors=True)
os.makedirs(out)
src = os.path.join(out, "t.c")
with open(src, "w") as f:
    f.write("#include <math.h>\ndouble t(double x) { return sqrt(x); }\n")
template = os.path.join(out, "template.so")
subprocess.run(["gcc", "-shared", "-fPIC", "-o", template, src, "-Wl,--no-as-needed", "-lm"], check=True)

jobs = []
files = []
for p in range(packages):
    lib = os.path.join(out, f"pkg{p}", "lib")
    os.makedirs(lib)
    deps_pkgs = sorted(set(rng.sample(range(p), min(p, 3)))) if p > 0 else []
    for j in range(per):
        soname = f"libp{p}_{j}.so.1"
        real = os.path.join(lib, soname + ".0.0")
        needed = []
        if j + 1 < per:
            needed.append(f"libp{p}_{j + 1}.so.1")
        for q in deps_pkgs:
            if j % 4 == 0:
                needed.append(f"libp{q}_{rng.randrange(per)}.so.1")
        if p % 10 == 7 and j == 3:
            needed.append(f"libmissing{p}.so.1")
        runpath = ":".join(["$ORIGIN"] + [f"$ORIGIN/../../pkg{q}/lib" for q in deps_pkgs])
        shutil.copyfile(template, real)
        # One change per patchelf call: several in one call were seen to alias the new strings (patchelf 0.14).
        steps = [["patchelf", "--set-soname", soname, real],
                 ["patchelf", "--set-rpath", runpath] + (["--force-rpath"] if p % 2 else []) + [real]]
        if needed:
            steps.append(["patchelf"] + [a for n in needed for a in ("--add-needed", n)] + [real])
        jobs.append(steps)
        os.symlink(os.path.basename(real), os.path.join(lib, soname))
        os.symlink(soname, os.path.join(lib, f"libp{p}_{j}.so"))
        files.append(real)

with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
    def run(steps):
        for a in steps:
            r = subprocess.run(a, capture_output=True)
            if r.returncode != 0:
                return r.stderr.decode()
        return None
    for err in pool.map(run, jobs):
        if err:
            sys.exit(err)
with open(os.path.join(out, "files.txt"), "w") as f:
    f.write("\n".join(files) + "\n")
print(f"{len(files)} libraries in {out}")
