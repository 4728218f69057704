-- baseline.lua: Shandong without any AI-adoption policy.
--
-- The counterfactual every policy scenario is compared with. Same firms,
-- same seed, same horizon as shandong_2026.lua, no programme at all.
-- Firms adopt on their own economics (the `economic` decision rule):
-- without support, above-size (规上) adoption grows from 35% by about
-- 6-7% of the remaining firms a year, the pace of EU firms in 2023-2025.
--
-- Sources: FACTS.md (35% of 规上 manufacturing firms used AI in 2025,
-- seeds 002 and 004; EU hazard, Eurostat isoc_eb_ai).

scenario {
  name = "baseline",
  start = "2026-01-01",
  years = 3,
  seed = 2026,
  replications = 16,
}

-- About 120,000 manufacturing firms, of which some 42,000 above designated
-- size (规上): the order of Shandong's industrial enterprises (assumption).
population {
  firms = 120000,
  initial_adoption = 0.35,   -- share of 规上 firms using AI at the start
}

decision "economic" {}        -- the model's documented defaults

-- The province's intelligent compute, 23,180 PFLOPS (seed 004): part of the
-- region, not of a policy, so every scenario and its twin share it. Its
-- price rises when adopters use more than 60% of it.
compute { capacity = 23180 }

-- The 13 pioneer city x industry targets: reported here too, so that every
-- scenario built on this baseline is compared with it on the same groups.
include "pioneers.lua"
