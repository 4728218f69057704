-- shandong_2026.lua at 30,000 firms (the optimisation example's scale).
include "shandong_2026.lua"
scenario { name = "shandong_30k" }
population { firms = 30000 }
