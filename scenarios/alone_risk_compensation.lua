-- alone_risk_compensation.lua: the risk compensation alone, 1 bn yuan, on the baseline's firms
-- (docs/instruments.md; rates and caps as in shandong_2026.lua, quantities
-- raised where the plan's figure could not spend the budget). Compared with
-- its no-policy twin, and beside the other instruments, by scenarios/results.lua.
include "baseline.lua"
scenario { name = "alone_risk_compensation" }
risk_compensation { loss_share = 0.5, cap = 2e6, budget = 1e9 }
