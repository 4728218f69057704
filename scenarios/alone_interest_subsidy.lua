-- alone_interest_subsidy.lua: the loan interest subsidy alone, 1 bn yuan, on the baseline's firms
-- (docs/instruments.md; rates and caps as in shandong_2026.lua, quantities
-- raised where the plan's figure could not spend the budget). Compared with
-- its no-policy twin, and beside the other instruments, by scenarios/results.lua.
include "baseline.lua"
scenario { name = "alone_interest_subsidy" }
subsidy "interest" { points = 2, cap = 1e6, budget = 1e9 }
