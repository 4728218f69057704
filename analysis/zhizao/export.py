"""Plain CSV of a result file, for a spreadsheet or another tool.

Usage (also what ``zhizao export FILE.h5 --csv DIR`` runs)::

    python3 -m zhizao.export FILE.h5 --csv DIR

Writes into DIR (created if needed):

* ``headline.csv`` -- :func:`zhizao.headline`: per scenario and target (and
  point, for an experiment) the verdict, P(by the deadline) with and
  without the policy, dates, years and points gained, additional adopters,
  money and the cost per additional adopter;
* ``pathways.csv`` -- per scenario, target and date: the group's mean
  adoption share with its t-interval across replications (pooled over the
  points of an experiment), and the twin's mean;
* ``replicates.csv`` -- per scenario, replication (and point) and target:
  days to the target (empty: not reached), the twin's, the share at the
  end, additional adopters, fiscal and total money.

Every file is UTF-8 with a header row; numbers in plain decimal notation.
Exit status as ``zhizao report``'s: 0, 1 error, 2 usage, 4/5 not a result
file or not readable.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from .answer import headline
from .dataset import as_experiment
from .measures import money
from .stats import t_quantile
from .validate import ResultFileError, check as check_file

__all__ = ["export_csv", "main"]


def _pathways(ds) -> pd.DataFrame:
    share = ds["target_share"]
    reps = [d for d in ("point", "replicate") if d in share.dims]
    n = int(np.prod([share.sizes[d] for d in reps]))
    st = share.stack(run=reps)
    m, sd = st.mean("run"), st.std("run", ddof=1)
    half = t_quantile(0.95, n) * sd / np.sqrt(n) if n > 1 else sd * np.nan
    out = pd.DataFrame({"mean": m.to_series(), "lo": (m - half).to_series(),
                        "hi": (m + half).to_series()})
    if "twin_target_share" in ds.variables:
        out["twin_mean"] = ds["twin_target_share"].stack(run=reps).mean("run").to_series()
    out = out.reset_index()
    out["date"] = pd.to_datetime(out["time"]).dt.date
    out = out.sort_values(["scenario", "target", "date"], kind="mergesort")
    return out[["scenario", "target", "date"] + [c for c in out.columns
                                                  if c in ("mean", "lo", "hi", "twin_mean")]]


def _replicates(ds) -> pd.DataFrame:
    cols = {"days_to_target": ds["time_to_target"]}
    if "twin_time_to_target" in ds.variables:
        cols["twin_days_to_target"] = ds["twin_time_to_target"]
    if "target_share" in ds.variables:
        cols["share_at_end"] = ds["target_share"].isel(time=-1, drop=True)
    if "additional" in ds.variables:
        cols["additional"] = ds["additional"]
    df = pd.DataFrame({k: v.to_series() for k, v in cols.items()})
    fis, tot = money(ds, "fiscal"), money(ds, "all")
    m = pd.DataFrame({"fiscal_yuan": fis.to_series(), "total_yuan": tot.to_series()})
    return df.reset_index().merge(m.reset_index(), how="left")


def export_csv(source, outdir) -> list:
    """Write headline.csv, pathways.csv and replicates.csv; their paths."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = as_experiment(source)
        hl = headline(source)
    files = []
    for name, df in (("headline", hl.reset_index()), ("pathways", _pathways(ds)),
                     ("replicates", _replicates(ds))):
        path = outdir / f"{name}.csv"
        tmp = path.with_suffix(".csv.partial")
        df.to_csv(tmp, index=False, float_format="%.10g")
        tmp.replace(path)           # never a half-written CSV under its name
        files.append(path)
    return files


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="zhizao export",
                                description="CSV tables of a zhizao result file.")
    p.add_argument("file", help="a run, comparison or experiment file")
    p.add_argument("--csv", required=True, metavar="DIR", help="folder for the CSV files")
    args = p.parse_args(argv)
    try:
        check_file(args.file)
        for f in export_csv(args.file, args.csv):
            print(f)
    except ResultFileError as e:
        print(f"zhizao export: error: {e}", file=sys.stderr)
        return e.exit_code
    except OSError as e:
        print(f"zhizao export: error: {e}", file=sys.stderr)
        return 5
    except Exception as e:  # one line, never a traceback
        print(f"zhizao export: error: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
