-- contest_only.lua: the plan's money spent on 揭榜挂帅 contests alone.
--
-- Same total budget as vouchers_only.lua and subsidy_only.lua (7.9 bn
-- yuan). Rewards are half the actual investment, capped at 10 m yuan
-- (Jinan's rule, seed 000); two rounds a year over three years, in the ten
-- challenge industries. With the whole budget the rounds pick 130 winners
-- each instead of the plan's 30 a year.

include "baseline.lua"

scenario { name = "contest_only" }

contest "benchmark" {
  opens = "2026-03-01", closes = "2026-05-01", rounds = 6, round_interval = 182,
  industries = { "electronics", "light_industry", "chemicals", "machinery", "automotive",
                 "steel", "textiles", "nonferrous", "food", "building_materials" },
  winners = 130, reward_rate = 0.5, reward_cap = 1e7, budget = 7.9e9,
}
