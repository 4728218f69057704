"""``zhizao compare A.lua B.lua ... --base NAME``: after the comparison,
each scenario against the base scenario NAME, paired by replication
(:func:`zhizao.incremental`); also ``python3 -m zhizao.against FILE --base
NAME`` on any comparison file."""

from __future__ import annotations

import numpy as np

from .incremental import incremental

__all__ = ["main"]


def main(argv=None) -> int:
    """Prints each scenario against --base (see the module doc)."""
    import argparse
    import sys
    import warnings
    p = argparse.ArgumentParser(prog="zhizao compare --base",
                                description="Each scenario against a base scenario.")
    p.add_argument("file")
    p.add_argument("--base", required=True)
    args = p.parse_args(argv)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            inc = incremental(args.file, base=args.base)
    except (ValueError, OSError) as e:
        print(f"zhizao: --base: {e}", file=sys.stderr)
        return 2 if isinstance(e, ValueError) else 5
    groups = list(dict.fromkeys(inc.index.get_level_values("group")))
    main_groups = [g for g in ("province_gsz", "all_firms") if g in groups] or groups
    print(f"\nagainst {args.base} on the same random numbers, at the end (mean and 95% "
          "interval over paired replications; cost = mean extra fiscal money / mean "
          "additional adopters, only for groups the money can be attributed to):")
    for (s, g), r in inc.iterrows():
        if g not in main_groups:
            continue
        line = (f"  {s:<24} {g:<16} {r['additional']:+.4g} [{r['additional_lo']:.4g}, "
                f"{r['additional_hi']:.4g}] adopters: {r['verdict']}; fiscal "
                f"{r['fiscal'] * 1e-6:+.4g} m yuan")
        if np.isfinite(r["cost_per_additional"]):
            line += f"; {r['cost_per_additional'] * 1e-6:.4g} m fiscal yuan per additional adopter"
        elif r["note"]:
            line += f"; {r['note'].split(':')[0]}"
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
