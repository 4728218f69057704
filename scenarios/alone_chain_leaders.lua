-- alone_chain_leaders.lua: the chain leaders alone, 1 bn yuan, on the baseline's firms
-- (docs/instruments.md; rates and caps as in shandong_2026.lua, quantities
-- raised where the plan's figure could not spend the budget). Compared with
-- its no-policy twin, and beside the other instruments, by scenarios/results.lua.
include "baseline.lua"
scenario { name = "alone_chain_leaders" }
chain_leader { onboard_rate = 166.7, cost_cut = 0.2, peer_boost = 0.1, cap = 5e5, budget = 1e9 }
