-- alone_training_campaign.lua: the training campaign alone, 1 bn yuan, on the baseline's firms
-- (docs/instruments.md; rates and caps as in shandong_2026.lua, quantities
-- raised where the plan's figure could not spend the budget). Compared with
-- its no-policy twin, and beside the other instruments, by scenarios/results.lua.
include "baseline.lua"
scenario { name = "alone_training_campaign" }
campaign "training" { date = "2026-05-15", firms = 50000, amount = 20000, budget = 1e9 }
