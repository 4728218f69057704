-- results.lua: the experiment behind docs/results_2026.md and
-- docs/instruments.md (issue 13: every figure across the uncertain
-- parameters, not at one point).
--
--   make results        (zhizao explore scenarios/results.lua -o build/results/results.h5,
--                         then python3 -m zhizao.results rewrites the
--                         generated blocks of both documents)
--
-- The six mixes of the library and each instrument of the plan alone on
-- 1 bn yuan (scenarios/alone_*.lua), at every point of a Sobol design over
-- the library's uncertain parameters (uncertainty/ranges.lua, the
-- demonstration effect included), on the library's 120,000 firms: the
-- budgets are the plan's yuan, so fewer firms would change what the money
-- buys. One no-policy twin per (point, replication) serves all 18 scenarios.
-- Sized for about 260 CPU seconds: 2.5 minutes on two idle cores, 9-12 on
-- two shared with other jobs (docs/results_2026.md, "Reproduce").

experiment {
  name = "results_2026",
  scenarios = { "baseline.lua", "shandong_2026.lua", "vouchers_only.lua",
                "subsidy_only.lua", "contest_only.lua", "campaign_led.lua",
                "alone_compute_voucher.lua", "alone_model_voucher.lua",
                "alone_corpus_voucher.lua", "alone_scenario_voucher.lua",
                "alone_investment_subsidy.lua", "alone_interest_subsidy.lua",
                "alone_risk_compensation.lua", "alone_insurance.lua",
                "alone_equity.lua", "alone_training_campaign.lua",
                "alone_chain_leaders.lua", "alone_contest.lua" },
  design = "sobol",
  points = 32,
  replications = 2,
  seed = 2026,
}

include "uncertainty/ranges.lua"
