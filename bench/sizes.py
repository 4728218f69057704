#!/usr/bin/env python3
"""The project's size limits (issue 20): no C file over 600 lines and no
function over 100 lines under sim/.

  bench/sizes.py [ROOT]           default ROOT: the source tree this script is in
  bench/sizes.py [ROOT] --check   also fail on a file or function over its
                                  limit that REMAINING below does not list

Prints the C files over the file limit and the functions over the function
limit, longest first, then the two counts. A function is measured from the
line its signature starts on to the line of its closing brace (comments,
string literals and preprocessor lines are skipped when counting braces, so
a brace in a string does not end a function).

With --check (the ctest test `sizes`) it exits 1 on anything over a limit
that REMAINING does not name: new code keeps to the limits. REMAINING lists
what is over today, a list that may only shrink; an entry no longer over
its limit is reported as stale (not a failure, because the files are being
split in parallel: remove the line when you see it).
"""
import os
import re
import sys

FILE_LIMIT = 600
FUNC_LIMIT = 100

# Over a limit today, each a debt of issue 20; remove the line when it is
# split, never add one. Files as paths under the root; functions as
# (path, name).
REMAINING_FILES = {
    "sim/model/population_csv.c",   # the CSV reader
    "sim/output/h5writer.c",        # one writer
    "sim/ensemble.c",               # one driver
}
REMAINING_FUNCTIONS = {
    ("sim/model/population_csv.c", "zz_population_csv"),
    ("sim/model/population_csv.c", "parse_row"),
    ("sim/ensemble.c", "zz_ensemble_into"),
    ("sim/experiment/runner.c", "zz_explore_run"),
    ("sim/optimise/opt_h5.c", "zz_optimisation_write"),
    ("sim/config.c", "zz_config_defaults"),
    ("sim/cli/cli_calibrate.c", "zz_cli_calibrate"),
    ("sim/output/experiment_writer.c", "create_layout"),
    ("sim/calibrate/msm.c", "zz_msm_estimate"),
    ("sim/calibrate/calib_h5.c", "zz_calibration_write"),   # came with issue 24
}


def _blank(text):
    """Comments, string and character literals and preprocessor lines
    replaced by spaces, newlines kept, so braces can be counted."""
    out = []
    i, n = 0, len(text)
    line_start = True
    while i < n:
        c = text[i]
        if line_start and c == "#":
            # a directive, with its continuation lines
            while i < n and text[i] != "\n":
                if text[i] == "\\" and i + 1 < n and text[i + 1] == "\n":
                    out.append(" \n")
                    i += 2
                    continue
                out.append(" ")
                i += 1
            continue
        if c == "/" and text.startswith("//", i):
            while i < n and text[i] != "\n":
                out.append(" ")
                i += 1
            continue
        if c == "/" and text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("".join(ch if ch == "\n" else " " for ch in text[i:j]))
            i = j
            continue
        if c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            out.append("".join(ch if ch == "\n" else " " for ch in text[i:j]))
            i = j
            line_start = False
            continue
        out.append(c)
        if c == "\n":
            line_start = True
        elif not c.isspace():
            line_start = False
        i += 1
    return "".join(out)


NAME = re.compile(r"([A-Za-z_]\w*)\s*\($")


def functions(text):
    """(name, first line, last line) of each function defined in C text."""
    code = _blank(text)
    found = []
    depth = 0
    head_start = 0          # where the text before the next top-level brace begins
    open_at = None
    for i, c in enumerate(code):
        if c == "{":
            if depth == 0:
                head = code[head_start:i]
                open_at = None
                # a function: the head ends with a parameter list and is not an
                # initialiser, a struct, union or enum
                h = head.strip()
                if h.endswith(")") and "=" not in h and not re.match(r"(typedef\b|struct\b|union\b|enum\b)", h):
                    # the name is the identifier before the first '(' at nesting 0
                    par = 0
                    for k, ch in enumerate(h):
                        if ch == "(":
                            m = NAME.search(h[:k + 1])
                            if m:
                                name = m.group(1)
                                start = head_start + len(head) - len(head.lstrip()) + k
                                # the signature starts at the line of its first word
                                first = code.count("\n", 0, head_start + len(head) - len(head.lstrip())) + 1
                                open_at = (name, first)
                            break
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                if open_at:
                    found.append((open_at[0], open_at[1], code.count("\n", 0, i) + 1))
                open_at = None
                head_start = i + 1
        elif c == ";" and depth == 0:
            head_start = i + 1
    return found


def measure(root):
    files, funcs = [], []
    sim = os.path.join(root, "sim")
    for d, _, names in os.walk(sim):
        for f in names:
            if not f.endswith(".c"):
                continue
            p = os.path.join(d, f)
            rel = os.path.relpath(p, root)
            with open(p, encoding="utf-8", errors="replace") as fh:
                text = fh.read()
            lines = text.count("\n")
            if lines > FILE_LIMIT:
                files.append((lines, rel))
            for name, a, b in functions(text):
                if b - a + 1 > FUNC_LIMIT:
                    funcs.append((b - a + 1, rel, name))
    return sorted(files, reverse=True), sorted(funcs, reverse=True)


def main():
    args = [a for a in sys.argv[1:] if a != "--check"]
    check = "--check" in sys.argv[1:]
    root = args[0] if args else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    files, funcs = measure(root)
    new = []
    print(f"C files over {FILE_LIMIT} lines:")
    for n, p in files:
        listed = p in REMAINING_FILES
        new += [] if listed else [p]
        print(f"  {n:5d}  {p}{'' if listed else '   NEW'}")
    print(f"functions over {FUNC_LIMIT} lines:")
    for n, p, name in funcs:
        listed = (p, name) in REMAINING_FUNCTIONS
        new += [] if listed else [f"{p}: {name}"]
        print(f"  {n:5d}  {p}: {name}{'' if listed else '   NEW'}")
    print(f"{len(files)} files over {FILE_LIMIT} lines, {len(funcs)} functions over {FUNC_LIMIT} lines")
    stale = sorted(REMAINING_FILES - {p for _, p in files}) + \
        sorted(f"{p}: {f}" for p, f in REMAINING_FUNCTIONS - {(p, f) for _, p, f in funcs})
    for x in stale:
        print(f"  stale entry of REMAINING (now within its limit; remove the line): {x}")
    if check and new:
        print(f"sizes: FAIL, over a limit and not in REMAINING: {', '.join(new)}")
        return 1
    if check:
        print("sizes: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
