"""zhizao (智造): analysis of the simulator's HDF5 result files.

    import zhizao
    ds = zhizao.open("run.h5")                 # one scenario
    zhizao.adoption(ds, by="city")             # share over time, mean and CI
    zhizao.time_to_target(ds)                  # days/years, months gained
    zhizao.additionality(ds)                   # additional, supported, deadweight
    zhizao.cost_effectiveness(ds)              # yuan per additional adopter
    zhizao.compare("compare.h5")               # ranking of scenarios
    zhizao.accounting("compare.h5")            # what each scenario bought
    zhizao.firm_record(ds)                     # per-firm record (run with --firms)
    zhizao.open("OUT.h5.partial")              # a run in progress: finished replicates
    zhizao.open("explore.h5")                  # an experiment: dims point x scenario x ...
    zhizao.headline("out.h5")                  # the answer: effect, P with/without, cost
    zhizao.across_unknowns(zhizao.headline(exp))  # the same across an experiment's points
    zhizao.p_target(ds, "province_gsz")        # P(target by its deadline), exact CI
    zhizao.sensitivity(exp, "time_to_target", target=..., scenario=...)  # Sobol/Morris
    zhizao.robust_ranking(exp, "p_target", target=...)   # P(best), regret
    zhizao.ranking_flips(exp, ...)             # CART: where the best mix changes
    zhizao.scenario_discovery(exp, "plan", target=...)   # PRIM: where the plan misses
    zhizao.incremental("compare.h5", base="jinan_2026")  # vs any base, fiscal split

Modules: io (reading files), stats (intervals), tables (summaries), plots
(matplotlib figures), report (``python3 -m zhizao.report``), survival
(Kaplan-Meier, probability by a date), measures (the outputs a planner
asks about), experiment (experiment files), dataset (one data model
for runs, comparisons and experiments), sensitivity (Sobol, Morris, RBD-FAST), robust (rankings
across the unknowns, PRIM), incremental (against any base, fiscal and not), answer (the headline),
givendata (RBD-FAST, PRIM), export (CSV), expreport and htmlpage (parts of the report).

Conventions: intervals are Student-t intervals across replicates at
`level` (default 95%); durations (time_to_target) are float days, NaN =
not reached; money is in yuan.
"""

__version__ = "0.1.0"

from .io import (firm_record, groups, has_accounting, has_twin, open_all,  # noqa: E402
                 open_result as open)
from .experiment import is_experiment, scenario_view  # noqa: E402
from .plots import plot_comparison, plot_pathways, plot_spending  # noqa: E402
from .stats import mean_ci  # noqa: E402
from .dataset import as_experiment  # noqa: E402
from .incremental import incremental  # noqa: E402
from .robust import p_target, ranking_flips, robust_ranking, scenario_discovery  # noqa: E402
from .sensitivity import sensitivity  # noqa: E402
from .answer import across_unknowns, headline  # noqa: E402
from .validate import ResultFileError  # noqa: E402
from .tables import (NoTwinError, accounting, additionality, adoption, compare,  # noqa: E402
                     cost_effectiveness, summary, target_share, time_to_target)

__all__ = ["open", "is_experiment", "scenario_view", "groups", "open_all", "firm_record", "has_twin", "has_accounting",
           "adoption", "target_share", "time_to_target", "additionality",
           "cost_effectiveness", "accounting",
           "summary", "compare", "NoTwinError", "mean_ci", "plot_pathways",
           "plot_spending", "plot_comparison", "as_experiment", "p_target",
           "robust_ranking", "ranking_flips", "sensitivity", "incremental", "ResultFileError",
           "headline", "across_unknowns", "scenario_discovery",
           "__version__"]
