#!/usr/bin/env python3
"""Does each floor of sim/ only look down? (docs/architecture.md)

Computes two graphs between the files of sim/ (tests excluded):
  include  from the source: `#include "..."`, resolved as the compiler does
           (the including file's folder first, then sim/ and include/);
  call     from the built objects: `nm` gives each object's defined and
           undefined symbols, so an undefined symbol of a.o defined by b.o
           is an edge a -> b (what the linker itself resolves).
A unit is a file without its ending (sim.c and sim.h are one unit, sim/sim).

It reports, for each graph, the cycles longer than two units (strongly
connected components of three units or more) and the edges from a unit to
one on a higher floor of LAYERS below, and fails on any not in ALLOWED or
ALLOWED_CYCLES: the known violations, a list that may only shrink as the
restructuring of issue 20 removes them. An entry that no longer occurs is
stale and fails too, so that the list shrinks with the code.

  bench/layers.py [BUILD]          default BUILD: build (for the objects)
  bench/layers.py BUILD --list     print every violation as an ALLOWED line

Without objects (nothing built yet) the call graph is skipped and said so.
"""
import os
import re
import subprocess
import sys
from collections import defaultdict

SRC = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Floors, bottom first. A unit belongs to the longest prefix that matches its
# path under sim/; a unit may use its own floor and any floor below.
LAYERS = [
    ("engine", ["engine/"]),
    ("schema", ["config", "param"]),
    ("model", ["model/"]),
    ("policy", ["policy/"]),
    ("kernel", ["sim", "sim_internal", "sim_access", "accounting", "rep_result", "targets"]),
    ("output", ["output/"]),
    ("scenario", ["scenario/"]),
    ("parallel", ["parallel/"]),
    ("drivers", ["ensemble", "ensemble_handle", "ensemble_rank", "headline", "attribution",
                 "experiment/", "calibrate/", "optimise/"]),
    ("cli", ["cli/"]),
]

# Known upward edges, (kind, from unit, to unit): each one is a debt of
# issue 20. Remove the line with the edge; never add one.
ALLOWED = {
    # Inside the kernel: model/ and policy/ work on the replication's state,
    # struct zz_sim, which sim.h declares beside sim.c's loop, and the
    # economic rule asks the instruments (policy/) for its valuation terms.
    # Needs: the state in a header of its own below model/, and the rules
    # above the instruments (or the instruments' terms behind a table).
    ("include", "model/firms", "sim"),
    ("include", "model/learning", "sim"),
    ("include", "model/learning", "sim_internal"),
    ("include", "model/firms", "sim_internal"),
    ("include", "model/implement", "policy/instrument"),
    ("include", "model/implement", "policy/policy"),
    ("include", "model/implement", "sim"),
    ("include", "model/rule_bass", "sim"),
    ("include", "model/rule_economic", "policy/instrument"),
    ("include", "model/rule_economic", "policy/policy"),
    ("include", "model/rule_economic", "sim"),
    ("include", "model/rule_economic", "sim_internal"),
    ("include", "policy/compute_market", "sim"),
    ("include", "policy/instrument", "sim"),
    ("include", "policy/programme", "sim_internal"),
    ("call", "model/firms", "targets"),
    ("call", "model/implement", "policy/compute_market"),
    ("call", "model/rule_economic", "policy/compute_market"),
    ("call", "policy/programme", "targets"),
}
# Known cycles longer than two units, as sets: a cycle passes if all its
# units lie in one set here (so a cycle may shrink or split, never grow).
ALLOWED_CYCLES = {
    "include": [],
    "call": [],
}


def rel(path):
    return os.path.relpath(path, os.path.join(SRC, "sim"))


def unit_of(relpath):
    return os.path.splitext(relpath)[0]


def layer_of(unit):
    best, rank = None, None
    for i, (_, prefixes) in enumerate(LAYERS):
        for p in prefixes:
            hit = unit.startswith(p) if p.endswith("/") else unit == p
            if hit and (best is None or len(p) > len(best)):
                best, rank = p, i
    return rank


def sources():
    out = []
    for root, _, files in os.walk(os.path.join(SRC, "sim")):
        for f in files:
            if f.endswith((".c", ".h")):
                out.append(os.path.join(root, f))
    return sorted(out)


INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def include_edges():
    edges = defaultdict(set)
    search = [os.path.join(SRC, "sim"), os.path.join(SRC, "include")]
    for path in sources():
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
        for name in INCLUDE.findall(text):
            for d in [os.path.dirname(path)] + search:
                target = os.path.normpath(os.path.join(d, name))
                if os.path.exists(target):
                    break
            else:
                continue
            r = rel(target)
            if r.startswith(".."):
                continue                    # include/zhizao: the public API
            a, b = unit_of(rel(path)), unit_of(r)
            if a != b:
                edges[(a, b)].add(name)
    return edges


def objects(build):
    """{unit: object path} for the library's and the command line's objects."""
    out = {}
    for target in ("zhizao_core.dir", "zhizao.dir"):
        top = os.path.join(build, "CMakeFiles", target)
        for root, _, files in os.walk(top):
            for f in files:
                if f.endswith(".c.o"):
                    path = os.path.join(root, f)
                    r = os.path.relpath(path, top)
                    # CMake mirrors the source path: sim/<...>.c.o
                    # (an object whose source is gone is a leftover)
                    if r.startswith("sim" + os.sep) and os.path.exists(
                            os.path.join(SRC, r[:-2])):
                        out[unit_of(r[4:-2])] = path
    return out


def call_edges(objs):
    defined, undefined = {}, defaultdict(set)
    for unit, path in sorted(objs.items()):
        text = subprocess.run(["nm", "-P", path], capture_output=True, text=True,
                              check=True).stdout
        for line in text.splitlines():
            parts = line.split()
            if len(parts) < 2:
                continue
            sym, kind = parts[0], parts[1]
            if kind == "U":
                undefined[unit].add(sym)
            elif kind in "TDBRCVW" and kind.isupper():
                defined[sym] = unit
    edges = defaultdict(set)
    for unit, syms in undefined.items():
        for s in syms:
            b = defined.get(s)
            if b is not None and b != unit:
                edges[(unit, b)].add(s)
    return edges


def sccs(edges):
    """Tarjan's strongly connected components, iteratively."""
    graph = defaultdict(list)
    nodes = set()
    for a, b in edges:
        graph[a].append(b)
        nodes.update((a, b))
    index, low, on, stack, out = {}, {}, set(), [], []
    counter = [0]
    for root in sorted(nodes):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on.discard(w)
                        comp.append(w)
                        if w == v:
                            break
                    out.append(sorted(comp))
    return out


def main(argv):
    args = [a for a in argv if not a.startswith("--")]
    listing = "--list" in argv
    build = os.path.abspath(args[0]) if args else os.path.join(SRC, "build")
    graphs = {"include": include_edges()}
    objs = objects(build)
    if objs:
        graphs["call"] = call_edges(objs)
    else:
        print(f"no objects under {build}: call graph skipped (build first)")
    units = {u for e in graphs["include"] for u in e}
    unplaced = sorted(u for u in units | set(objs) if layer_of(u) is None)
    bad = 0
    if unplaced:
        print("units on no floor of LAYERS:", ", ".join(unplaced))
        bad += 1
    seen = set()
    for kind, edges in graphs.items():
        up = sorted((a, b) for a, b in edges if layer_of(a) is not None
                    and layer_of(b) is not None and layer_of(a) < layer_of(b))
        cycles = [c for c in sccs(edges) if len(c) > 2]
        new = [(a, b) for a, b in up if (kind, a, b) not in ALLOWED]
        seen.update((kind, a, b) for a, b in up)
        print(f"{kind}: {len(edges)} edges, {len(up)} upward ({len(new)} not allowed), "
              f"{len(cycles)} cycles longer than two units"
              + (f" (units: {', '.join(str(len(c)) for c in cycles)})" if cycles else ""))
        for a, b in up:
            la, lb = LAYERS[layer_of(a)][0], LAYERS[layer_of(b)][0]
            flag = "NEW " if (a, b) in new else "    "
            if listing:
                print(f'    ("{kind}", "{a}", "{b}"),')
            else:
                why = sorted(edges[(a, b)])
                more = f" +{len(why) - 3}" if len(why) > 3 else ""
                print(f"  {flag}{a} ({la}) -> {b} ({lb}): {' '.join(why[:3])}{more}")
        floors = defaultdict(int)
        for a, b in up:
            floors[(LAYERS[layer_of(a)][0], LAYERS[layer_of(b)][0])] += 1
        if floors:
            print("  by floors: " + ", ".join(f"{x}->{y} {n}" for (x, y), n in sorted(floors.items())))
        for c in cycles:
            ok = any(set(c) <= set(allowed) for allowed in ALLOWED_CYCLES[kind])
            print(f"  {'    ' if ok else 'NEW '}cycle of {len(c)}: {' '.join(c)}")
            bad += not ok
        bad += len(new)
    stale = sorted(e for e in ALLOWED if e not in seen and e[0] in graphs)
    for e in stale:
        print(f"  stale allow-list entry (the edge is gone: delete it): {e}")
    bad += len(stale)
    print("layers: " + ("FAIL, a new violation" if bad else "ok, no new violation"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
