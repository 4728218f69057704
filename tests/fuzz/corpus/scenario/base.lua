-- base.lua: the tutorial's starting point, a region without AI policy.
--
-- A copy of scenarios/baseline.lua without its pioneer targets: 120,000
-- manufacturing firms in Shandong's 16 cities, 35% of the above-size (规上)
-- firms using AI at the start, three years from 2026-01-01. Firms decide on
-- their own economics (the `economic` rule with the model's defaults,
-- docs/model.md section 6.1). Every other file of the tutorial builds on
-- this one, so they all share its firms, seed and horizon.
--
--   zhizao check examples/tutorial/base.lua    (every parameter, defaults included)

scenario {
  name = "base",
  start = "2026-01-01",
  years = 3,
  seed = 2026,          -- same seed = same firms and same random numbers
  replications = 16,    -- independent runs; results report their spread
}

population {
  firms = 120000,
  initial_adoption = 0.35,   -- share of above-size (规上) firms using AI in 2025
}

decision "economic" {}       -- the documented defaults

-- A group to report besides the two every run reports (province_gsz and
-- all_firms): Jinan's above-size firms, aiming at half of them.
target { name = "jinan_gsz", city = "Jinan", gsz_only = true, share = 0.5 }
