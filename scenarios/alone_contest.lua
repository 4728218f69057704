-- alone_contest.lua: the 揭榜挂帅 contest alone, 1 bn yuan, on the baseline's firms
-- (docs/instruments.md; rates and caps as in shandong_2026.lua, quantities
-- raised where the plan's figure could not spend the budget). Compared with
-- its no-policy twin, and beside the other instruments, by scenarios/results.lua.
include "baseline.lua"
scenario { name = "alone_contest" }
contest "benchmark" { opens = "2026-03-01", closes = "2026-05-01", rounds = 3, winners = 40,
                      reward_rate = 0.5, reward_cap = 1e7, budget = 1e9 }
