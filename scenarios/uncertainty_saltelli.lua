-- uncertainty_saltelli.lua: the unknowns of uncertainty.lua on a Saltelli
-- design, for Sobol indices (zhizao.sensitivity); N = 16 rows of A and B,
-- 16 x (7 + 2) = 144 points x 5 scenarios x 4 replications = 2,880 tasks.
-- The figures in docs/results_2026.md come from
--
--   zhizao explore scenarios/uncertainty_saltelli.lua -o saltelli.h5 \
--       --set population.firms=20000
--
-- (about 10 minutes on 2 loaded cores; the library's 120,000 firms take
-- about six times as long).

experiment {
  name = "library_uncertainty_saltelli",
  scenarios = { "baseline.lua", "shandong_2026.lua", "vouchers_only.lua",
                "subsidy_only.lua", "contest_only.lua" },
  design = "saltelli",
  points = 16,
  replications = 4,
  seed = 2026,
}

include "uncertainty/ranges.lua"
