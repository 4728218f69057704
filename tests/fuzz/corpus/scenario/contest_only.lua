-- contest_only.lua: the plan's money spent on 揭榜挂帅 contests alone.
--
-- The same fiscal money as shandong_2026.lua, vouchers_only.lua and
-- subsidy_only.lua (9.97 bn yuan). Rewards are half the actual investment,
-- capped at 10 m yuan (Jinan's rule, seed 000); two rounds a year over three
-- years, in the ten challenge industries, 160 winners a round instead of the
-- plan's 30 a year. Even so the money is not the limit: at these rewards the
-- six rounds pay out about 1 bn (docs/results_2026.md). The same budget is
-- not the same spending.

include "baseline.lua"

scenario { name = "contest_only" }

contest "benchmark" {
  opens = "2026-03-01", closes = "2026-05-01", rounds = 6, round_interval = 182,
  industries = { "electronics", "light_industry", "chemicals", "machinery", "automotive",
                 "steel", "textiles", "nonferrous", "food", "building_materials" },
  winners = 160, reward_rate = 0.5, reward_cap = 1e7, budget = 9.97e9,
}
