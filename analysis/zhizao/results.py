"""The numbers of docs/results_2026.md and docs/instruments.md, regenerated.

Both documents are prose written by hand around blocks that this module
writes from one experiment file (``zhizao explore scenarios/results.lua``):
every figure is taken at each point of the design (one plausible setting of
the uncertain parameters) and shown as the median and the 5-95% range
across the points, or as a probability with its range. A block is

    <!-- generated:NAME -->
    ...
    <!-- /generated -->

and only the text between the markers is replaced, so rerunning is
idempotent and the prose stays as written. Inline blocks (both markers on
one line) hold single numbers inside a sentence.

    make results                       # explore + both documents (docs/results/README.md)
    PYTHONPATH=analysis /usr/bin/python3 -m zhizao.results FILE.h5 docs/results_2026.md docs/instruments.md

Definitions (per point, replications pooled as ratios of sums, as
:mod:`zhizao.measures` does):

* additional adopters: the engine's paired count against the shared
  no-policy twin at the end, mean over replications;
* cost per additional adopter: money the programmes cost by the end
  (disbursed, plus a guarantee's cover still reserved: io.outlay) over
  additional adopters; undefined at a point where the mix adds none (or fewer);
* deadweight share: deadweight / supported adopters (supported adopters
  that adopt in the twin too);
* spill-over: additional - (supported - deadweight);
* P(target by its deadline): the share of replications reaching it by the
  target's ``by`` (the horizon when none); "pooled" is over every run of
  every point, each point equally likely.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import xarray as xr

from .measures import measure, money
from .robust import robust_ranking
from .survival import DAYS_PER_YEAR, horizon_days

__all__ = ["across", "fmt_range", "replace_blocks", "blocks", "write_docs", "main",
           "DUTCH_LOTTERY"]

GSZ, ALL = "province_gsz", "all_firms"
MIXES = ("baseline", "shandong_2026", "vouchers_only", "subsidy_only", "contest_only", "campaign_led")
ALONE = {  # scenario -> label, in the order of the table
    "alone_compute_voucher": "compute voucher",
    "alone_model_voucher": "model voucher",
    "alone_corpus_voucher": "corpus voucher",
    "alone_scenario_voucher": "scenario voucher",
    "alone_investment_subsidy": "investment subsidy",
    "alone_interest_subsidy": "loan interest subsidy",
    "alone_risk_compensation": "risk compensation",
    "alone_insurance": "first-of-kind insurance",
    "alone_equity": "equity fund",
    "alone_training_campaign": "training campaign",
    "alone_chain_leaders": "chain leaders",
    "alone_contest": "揭榜挂帅 contest",
}
VOUCHERS = ("alone_compute_voucher", "alone_model_voucher", "alone_corpus_voucher",
            "alone_scenario_voucher", "vouchers_only")
DEMO = "decision.learn_publicity"  # how widely a benchmark's outcome is seen
# FACTS.md: Cornet, Vroomen and van der Steeg (2006), the Dutch innovation
# voucher lottery: of 10 vouchers, 8 additional projects, 1 deadweight, 1 unused.
DUTCH_LOTTERY = {"issued": 10, "additional": 8, "deadweight": 1, "unused": 1}
LO, HI = 0.05, 0.95

_BLOCK = re.compile(r"(<!-- generated:([A-Za-z0-9_]+) -->)(.*?)(<!-- /generated -->)", re.S)


# ---- numbers ------------------------------------------------------------------

def across(values) -> tuple[float, float, float, int]:
    """(median, 5%, 95%, defined points) of per-point values (NaN: undefined)."""
    v = np.asarray(values, dtype=float).ravel()
    v = v[np.isfinite(v)]
    if not v.size:
        return (np.nan, np.nan, np.nan, 0)
    q = np.quantile(v, [0.5, LO, HI])
    return (float(q[0]), float(q[1]), float(q[2]), int(v.size))


def num(x: float, unit: str = "") -> str:
    """A number as the tables print it: 3 significant digits, thousands
    separated, '–' when undefined."""
    if x is None or not np.isfinite(x):
        return "–"
    a = abs(x)
    if unit == "%":
        s = f"{100 * x:.1f}" if abs(100 * x) < 99.95 or abs(100 * x) >= 1000 else f"{100 * x:.0f}"
        return s + "%"
    if a >= 100:
        s = f"{x:,.0f}"
    elif a >= 10:
        s = f"{x:.1f}"
    elif a >= 1:
        s = f"{x:.2f}"
    elif a == 0:
        s = "0"
    else:
        s = f"{x:.3g}"
    return s + unit


def fmt_range(values, unit: str = "", npoints: int | None = None) -> str:
    """'median [5%, 95%]' across points; '(defined at k of n)' when some are not."""
    med, lo, hi, k = across(values)
    if k == 0:
        return "–"
    s = f"{num(med, unit)} [{num(lo, unit)}, {num(hi, unit)}]"
    n = npoints if npoints is not None else np.asarray(values).size
    if k < n:
        s += f" (at {k} of {n} points)"
    return s


def _sum_rep(x: xr.DataArray) -> xr.DataArray:
    return x.astype(float).sum("replicate")


def _at(ds, var, target):
    return ds[var].sel(target=target, drop=True).astype(float)


def per_point(ds: xr.Dataset, scen: str) -> dict:
    """Per-point figures of one scenario (each a [point] array)."""
    one = ds.sel(scenario=scen, drop=True)
    add = _sum_rep(_at(one, "additional", ALL))
    add_gsz = _sum_rep(_at(one, "additional", GSZ))
    sup = _sum_rep(_at(one, "supported", ALL))
    dead = _sum_rep(_at(one, "deadweight", ALL))
    fiscal = _sum_rep(money(one, "fiscal"))
    total = _sum_rep(money(one, "all"))
    R = one.sizes["replicate"]
    return {
        "additional": (add / R).values,
        "additional_gsz": (add_gsz / R).values,
        "supported": (sup / R).values,
        "deadweight_share": (dead / sup.where(sup > 0)).values,
        "additional_share": (1 - dead / sup.where(sup > 0)).values,
        "spillover": ((add - (sup - dead)) / R).values,
        "money_all": (total / R).values,
        "money_fiscal": (fiscal / R).values,
        "cost_all": (total / add.where(add > 0)).values,
        "cost_fiscal": (fiscal / add.where(add > 0)).values,
    }


def p_by_deadline(ds: xr.Dataset, scen: str, target: str):
    """(per-point probability [point], pooled probability) of reaching
    `target` by its deadline (the horizon when it has none)."""
    m = measure(ds.sel(scenario=[scen]), "p_target", target)
    hit = m.num.sel(scenario=scen, drop=True)
    return hit.mean("replicate").values, float(hit.mean())


def years_to(ds: xr.Dataset, scen: str, target: str):
    """[point] restricted mean years to the target (unreached counted at the
    horizon), and the same for the no-policy twin."""
    hz = horizon_days(ds)
    tt = ds["time_to_target"].sel(scenario=scen, target=target, drop=True).astype(float)
    cf = ds["cf_time_to_target"].sel(scenario=scen, target=target, drop=True).astype(float)
    own = tt.fillna(hz).clip(max=hz) / DAYS_PER_YEAR
    twin = cf.fillna(hz).clip(max=hz) / DAYS_PER_YEAR
    return own.mean("replicate").values, twin.mean("replicate").values


def _present(ds, names):
    have = {str(s) for s in ds["scenario"].values}
    return [s for s in names if s in have]


def _table(header, rows) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


# ---- the blocks -----------------------------------------------------------------

def _git(root: Path, *args) -> str:
    try:
        r = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                           timeout=10)
        return r.stdout.strip() if r.returncode == 0 else ""
    except (OSError, subprocess.SubprocessError):
        return ""


def design_summary(ds: xr.Dataset) -> str:
    d = ds["design"].transpose("point", "factor")
    base = _base_parameters(ds)
    rows = []
    for i, f in enumerate(d["factor"].values):
        v = d.values[:, i]
        rows.append([f"`{f}`", num(base.get(str(f), np.nan)), f"{num(v.min())} – {num(v.max())}"])
    return _table(["uncertain parameter", "default", "range over the points"], rows)


def _base_parameters(ds) -> dict:
    """The first scenario's resolved parameters (before the design's values)."""
    if "scenario_parameters" not in ds.variables:
        return {}
    txt = str(ds["scenario_parameters"].isel(scenario=0).values)
    out = {}
    for line in txt.splitlines():
        k, sep, v = line.partition(" = ")
        if sep:
            try:
                out[k.strip()] = float(v)
            except ValueError:
                pass
    return out


def _parameters_digest(ds) -> str:
    """A short digest of the first scenario's resolved parameters: two pages
    with the same digest were computed on the same calibration."""
    import hashlib
    if "scenario_parameters" not in ds.variables:
        return "?"
    txt = str(ds["scenario_parameters"].isel(scenario=0).values)
    return hashlib.sha256(txt.encode()).hexdigest()[:12]


def calibration_note(ds: xr.Dataset, root: Path | None, seconds: float | None,
                     note: str | None = None) -> str:
    root = root or Path.cwd()
    commit = _git(root, "rev-parse", "--short=12", "HEAD") or "unknown"
    subject = _git(root, "log", "-1", "--format=%s") or ""
    dirty = _git(root, "status", "--porcelain", "--", "scenarios", "sim", "include")
    base = _base_parameters(ds)
    firms = base.get("population.firms", np.nan)
    keys = ("population.hurdle_mean", "population.initial_adoption", "decision.gain_rate",
            "decision.temperature", "decision.awareness_rate", "decision.belief_mean",
            "decision.learn_publicity")
    cal = ", ".join(f"`{k}` {num(base[k])}" for k in keys if k in base)
    npts, nrep = ds.sizes["point"], ds.sizes["replicate"]
    nsc = ds.sizes["scenario"]
    lines = [
        f"**Calibration and run.** Computed by `python3 -m zhizao.results` from "
        f"`{ds.attrs.get('experiment_path', '?')}` at commit `{commit}`"
        + (f" (\"{subject}\")" if subject else "")
        + (", with uncommitted changes to the scenarios or the engine" if dirty else "")
        + f", zhizao {ds.attrs.get('program_version', '?')}. Calibration: the defaults of the scenario "
        f"`{ds['scenario'].values[0]}` at that commit ({cal}; all its parameters: digest "
        f"`{_parameters_digest(ds)}`)." + (f" {note.strip()}" if note else ""),
        f"Experiment `{ds.attrs.get('experiment_name', '?')}`: {npts} points "
        f"({ds.attrs.get('design', '?')} design) × {nsc} scenarios × {nrep} replications "
        f"on {num(firms)} firms, seed {ds.attrs.get('seed', '?')}; one shared no-policy twin "
        "per point and replication"
        + (f"; explore took {seconds / 60:.1f} min" if seconds else "") + ".",
        f"Each figure: median [5%, 95%] across the {npts} points (each an equally likely "
        "setting of the uncertain parameters below), replications pooled at each point.",
        "",
        design_summary(ds),
    ]
    return "\n".join(lines)


def instrument_table(ds: xr.Dataset) -> str:
    rows = []
    n = ds.sizes["point"]
    for s in _present(ds, ALONE):
        f = per_point(ds, s)
        rows.append([ALONE[s], fmt_range(f["additional"]), fmt_range(f["additional_gsz"]),
                     fmt_range(f["money_all"] / 1e6), fmt_range(f["cost_all"] / 1e6, npoints=n),
                     fmt_range(f["deadweight_share"], "%", npoints=n)])
    return _table(["instrument (1 bn yuan, alone)", "additional adopters (all firms)",
                   "additional 规上 adopters", "cost (m yuan)",
                   "m yuan per additional adopter", "deadweight (% of supported)"], rows)


def voucher_table(ds: xr.Dataset) -> str:
    d = DUTCH_LOTTERY
    used = d["issued"] - d["unused"]
    rows = []
    for s in _present(ds, VOUCHERS):
        f = per_point(ds, s)
        label = ALONE.get(s, s + " (all four, 9.96 bn)")
        rows.append([label, fmt_range(f["supported"]), fmt_range(f["additional_share"], "%"),
                     fmt_range(f["deadweight_share"], "%"), fmt_range(f["spillover"]),
                     fmt_range(f["additional"])])
    rows.append(["Dutch innovation voucher lottery (Cornet, Vroomen and van der Steeg 2006)",
                 f"{used} of {d['issued']} vouchers used",
                 f"{num(d['additional'] / used, '%')} ({d['additional']} of {used} used; "
                 f"{d['additional']} of {d['issued']} issued)",
                 f"{num(d['deadweight'] / used, '%')} ({d['deadweight']} of {used})", "–", "–"])
    return _table(["programme", "supported adopters", "additional (% of supported)",
                   "deadweight (% of supported)", "spill-over", "additional adopters"], rows)


def pathways_table(ds: xr.Dataset) -> str:
    mixes = _present(ds, MIXES)
    ranks = robust_ranking(ds.sel(scenario=mixes), "time_to_target", target=GSZ)
    p_best = ranks["p_best"].to_dict()
    rows = []
    by = ds["target_by"].sel(target=GSZ).max()
    for s in mixes:
        pp, pooled = p_by_deadline(ds, s, GSZ)
        own, twin = years_to(ds, s, GSZ)
        rows.append([s, f"{num(pooled, '%')}",
                     f"{num(np.mean(pp == 1), '%')} / {num(np.mean(pp == 0), '%')}",
                     fmt_range(own), fmt_range(twin - own), num(p_best.get(s, np.nan), "%")])
    days = float(by) if np.isfinite(by) else horizon_days(ds)
    return (f"50% of 规上 firms (province_gsz) by day {days:.0f} (its deadline):\n\n"
            + _table(["scenario", "P(reached), pooled",
                      "points where every / no replication reaches it",
                      "years to 50% (restricted mean)", "years gained on the no-policy twin",
                      "P(fastest)"], rows))


def money_table(ds: xr.Dataset) -> str:
    rows = []
    n = ds.sizes["point"]
    for s in _present(ds, MIXES):
        f = per_point(ds, s)
        rows.append([s, fmt_range(f["money_fiscal"] / 1e9), fmt_range(f["money_all"] / 1e9),
                     fmt_range(f["cost_fiscal"] / 1e6, npoints=n),
                     fmt_range(f["cost_all"] / 1e6, npoints=n)])
    return _table(["scenario", "fiscal money (bn yuan)", "all money (bn yuan)",
                   "fiscal m yuan per additional adopter", "all money, m yuan per additional adopter"],
                  rows)


def additionality_table(ds: xr.Dataset) -> str:
    rows = []
    for s in _present(ds, MIXES):
        f = per_point(ds, s)
        rows.append([s, fmt_range(f["additional"]), fmt_range(f["additional_gsz"]),
                     fmt_range(f["supported"]), fmt_range(f["deadweight_share"], "%",
                                                          npoints=ds.sizes["point"]),
                     fmt_range(f["spillover"])])
    return _table(["scenario", "additional adopters (all firms)", "additional 规上 adopters",
                   "supported adopters", "deadweight (% of supported)", "spill-over"], rows)


def pioneer_table(ds: xr.Dataset) -> str:
    mixes = _present(ds, MIXES)
    pioneers = [str(t) for t in ds["target"].values if str(t).startswith("pioneer_")]
    hz = horizon_days(ds)
    rows = []
    for t in pioneers:
        row = [t.removeprefix("pioneer_")]
        for s in mixes:
            tt = ds["time_to_target"].sel(scenario=s, target=t).astype(float).values
            _, p1 = p_by_deadline(ds, s, t)
            pend = float(np.mean(tt <= hz))
            row.append(f"{num(pend, '%')} ({num(p1, '%')})")
        rows.append(row)
    return _table(["pioneer target (50% of the pair's 规上 firms)"] + mixes, rows)


def _halves(ds: xr.Dataset, factor: str):
    """Boolean [point] masks of the lower and upper half of a factor's values."""
    v = ds["design"].sel(factor=factor).values.astype(float)
    med = np.median(v)
    return v <= med, v > med


def demo_table(ds: xr.Dataset) -> str:
    """The contest against shandong_2026, and the instruments the
    demonstration effect carries, in the lower and upper half of its range."""
    if DEMO not in [str(f) for f in ds["factor"].values]:
        return f"(`{DEMO}` is not uncertain in this experiment.)"
    low, high = _halves(ds, DEMO)
    v = ds["design"].sel(factor=DEMO).values
    rows = []
    if {"contest_only", "shandong_2026"} <= set(_present(ds, MIXES)):
        c, _ = years_to(ds, "contest_only", GSZ)
        sd, _ = years_to(ds, "shandong_2026", GSZ)
        lead = c - sd
        rows.append(["contest_only minus shandong_2026, years to province_gsz (< 0: contest first)",
                     fmt_range(lead), fmt_range(lead[low]), fmt_range(lead[high])])
        rows.append(["share of points where contest_only is first to province_gsz",
                     num(np.mean(lead < 0), "%"), num(np.mean(lead[low] < 0), "%"),
                     num(np.mean(lead[high] < 0), "%")])
    for s in _present(ds, ("contest_only", "alone_contest")):
        a = per_point(ds, s)["additional"]
        rows.append([f"{s}: additional adopters", fmt_range(a), fmt_range(a[low]),
                     fmt_range(a[high])])
    lo_rng = f"{num(v[low].min())} – {num(v[low].max())}"
    hi_rng = f"{num(v[high].min())} – {num(v[high].max())}"
    short = DEMO.split(".")[-1]
    return _table(["figure", "all points", f"`{short}` {lo_rng}", f"`{short}` {hi_rng}"], rows)


def inline_numbers(ds: xr.Dataset) -> dict:
    """Single numbers the prose quotes."""
    out = {}
    present = set(_present(ds, list(MIXES) + list(ALONE)))
    if "alone_compute_voucher" in present:
        out["compute_voucher_deadweight"] = fmt_range(
            per_point(ds, "alone_compute_voucher")["deadweight_share"], "%")
    vs = [s for s in VOUCHERS[:4] if s in present]
    if vs:
        shares = np.concatenate([per_point(ds, s)["additional_share"] for s in vs])
        out["voucher_additional_share"] = num(across(shares)[0], "%")
    return out


def blocks(ds: xr.Dataset, root: Path | None = None, seconds: float | None = None,
           note: str | None = None) -> dict:
    """Every block this module writes, by name (Markdown text)."""
    keep = ("design", "target_by", "fiscal", "scenario_parameters", "additional", "supported",
            "deadweight", "time_to_target", "cf_time_to_target", "spent", "committed")
    # read once: the tables select the same variables many times
    ds = ds[[v for v in keep if v in ds.variables]].load().assign_attrs(ds.attrs)
    b = {"calibration_note": calibration_note(ds, root, seconds, note)}
    if _present(ds, ALONE):
        b["instrument_table"] = instrument_table(ds)
    if _present(ds, VOUCHERS):
        b["voucher_table"] = voucher_table(ds)
    if _present(ds, MIXES):
        b["pathways_table"] = pathways_table(ds)
        b["money_table"] = money_table(ds)
        b["additionality_table"] = additionality_table(ds)
        b["pioneer_table"] = pioneer_table(ds)
    b["demo_table"] = demo_table(ds)
    b.update(inline_numbers(ds))
    return b


# ---- the documents ----------------------------------------------------------------

def replace_blocks(text: str, values: dict, where: str = "document") -> tuple[str, list]:
    """`text` with every generated block's content replaced; (new text,
    names replaced). A block the values lack is an error (the document asks
    for a number nobody makes); an unclosed marker too."""
    names = []

    def sub(m):
        name = m.group(2)
        if name not in values:
            raise KeyError(f"{where}: block '{name}' has no generator; known: "
                           f"{', '.join(sorted(values))}")
        names.append(name)
        body = str(values[name]).strip("\n")
        inline = "\n" not in m.group(3) and "\n" not in body
        return m.group(1) + (body if inline else "\n" + body + "\n") + m.group(4)

    new = _BLOCK.sub(sub, text)
    opened = len(re.findall(r"<!-- generated:[A-Za-z0-9_]+ -->", text))
    if opened != len(names):
        raise ValueError(f"{where}: {opened} '<!-- generated:NAME -->' markers but "
                         f"{len(names)} closed by '<!-- /generated -->'")
    return new, names


def write_docs(ds: xr.Dataset, docs, root: Path | None = None,
               seconds: float | None = None, note: str | None = None) -> dict:
    """Rewrite the generated blocks of each document in place (each file
    written whole, through a temporary file). Returns {path: [names]}."""
    values = blocks(ds, root, seconds, note)
    # every document checked before any is written: a bad marker in the
    # second leaves the first as it was
    new = {p: replace_blocks(p.read_text(), values, str(p)) for p in map(Path, docs)}
    for p, (text, _) in new.items():
        tmp = p.with_name(p.name + ".tmp")
        tmp.write_text(text)
        tmp.replace(p)
    return {str(p): names for p, (_, names) in new.items()}


def _explore(zhizao: str, experiment: str, out: Path, sets, threads) -> float:
    out.parent.mkdir(parents=True, exist_ok=True)
    cmd = [zhizao, "explore", experiment, "-o", str(out), "--quiet"]
    if Path(str(out) + ".partial").exists():
        cmd.append("--resume")
    elif out.exists():
        out.unlink()
    for s in sets:
        cmd += ["--set", s]
    if threads:
        cmd += ["--threads", str(threads)]
    t0 = time.monotonic()
    subprocess.run(cmd, check=True)
    return time.monotonic() - t0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python3 -m zhizao.results",
                                 description="Rewrite the generated blocks of the results "
                                             "documents from an experiment file.")
    ap.add_argument("file", help="the experiment file (zhizao explore's output)")
    ap.add_argument("docs", nargs="+", help="Markdown documents with generated blocks")
    ap.add_argument("--run", metavar="ZHIZAO", help="first run ZHIZAO explore EXPERIMENT -o FILE")
    ap.add_argument("--experiment", default="scenarios/results.lua")
    ap.add_argument("--set", action="append", default=[], help="passed to explore")
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--note", default=None, help="a sentence added to the calibration note "
                    "(e.g. which calibration file made the defaults)")
    ap.add_argument("--root", default=None, help="the repository (for the commit); default: "
                                                 "the documents' repository")
    a = ap.parse_args(argv)
    from .experiment import open_experiment
    seconds = None
    if a.run:
        seconds = _explore(a.run, a.experiment, Path(a.file), a.set, a.threads)
        print(f"zhizao.results: explore took {seconds:.0f} s", file=sys.stderr)
    ds = open_experiment(a.file)
    root = Path(a.root) if a.root else Path(a.docs[0]).resolve().parent
    try:
        done = write_docs(ds, a.docs, root, seconds, a.note)
    except (KeyError, ValueError) as e:
        print(f"zhizao.results: {e.args[0] if e.args else e}", file=sys.stderr)
        return 3
    for p, names in done.items():
        print(f"{p}: {len(names)} blocks ({', '.join(names)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
