-- subsidy_only.lua: the plan's money spent on investment rewards alone.
--
-- Same total budget as vouchers_only.lua and contest_only.lua (7.9 bn
-- yuan): 20% of the investment of a completed project, at most 5 m yuan.

include "baseline.lua"

scenario { name = "subsidy_only" }

subsidy "investment" { rate = 0.20, cap = 5e6, budget = 7.9e9 }
