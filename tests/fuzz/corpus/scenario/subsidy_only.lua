-- subsidy_only.lua: the plan's money spent on investment rewards alone.
--
-- The same fiscal money as shandong_2026.lua, vouchers_only.lua and
-- contest_only.lua (9.97 bn yuan): 20% of the investment of a completed
-- project, at most 5 m yuan.

include "baseline.lua"

scenario { name = "subsidy_only" }

subsidy "investment" { rate = 0.20, cap = 5e6, budget = 9.97e9 }
