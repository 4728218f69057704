-- jinan_2026.lua: Jinan's 2026 "application promotion year" (应用推广年).
--
-- What Jinan announced (seeds 000 and 001, FACTS.md):
--   * 揭榜挂帅 rewards of up to 50% of the actual investment of a benchmark
--     project;
--   * 100 typical application scenarios in 2026;
--   * compute vouchers, on 6,451 PFLOPS of compute (5,365 intelligent) at
--     the end of 2025;
--   * the barrier named: firms "dare not invest, are unwilling to invest"
--     (不敢投, 不愿投) and wait and see.
-- Programmes here are Jinan's own, so they reach Jinan's firms only; the
-- rest of the province runs as in the baseline. Budgets are assumptions
-- (Jinan publishes the rules, not the pots).

include "baseline.lua"

scenario { name = "jinan_2026", years = 2 }

-- The 100 application scenarios: a challenge list open to Jinan's firms in
-- every industry, 100 winners, half the actual investment, capped.
contest "application_scenarios" {
  opens = "2026-03-01", closes = "2026-04-30",
  cities = { "Jinan" },
  winners = 100, reward_rate = 0.5, reward_cap = 5e6, budget = 3e8,
}

-- Compute vouchers for Jinan's firms: 30% of the compute bill, at most
-- 1 m yuan a firm.
voucher "compute" { rate = 0.30, cap = 1e6, budget = 1e8, cities = { "Jinan" } }

-- What Jinan reports: the city overall and its pioneer industry.
target { name = "jinan", city = "Jinan", gsz_only = true, share = 0.5 }
pioneer { city = "Jinan", industry = "electronics" }
