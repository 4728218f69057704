-- vouchers_only.lua: the plan's money spent on vouchers alone.
--
-- Same firms, seed and horizon as shandong_2026.lua and the same total
-- budget for firm-level support (7.9 bn yuan: the vouchers, the investment
-- reward and the contest of shandong_2026.lua), all of it in the four
-- vouchers, in the plan's proportions between them. Compare with
-- contest_only.lua and subsidy_only.lua (zhizao compare) to see what each
-- instrument buys for the same money.

include "baseline.lua"

scenario { name = "vouchers_only" }

voucher "compute"  { rate = 0.30, cap = 2e6, budget = 2.633e9 }
voucher "model"    { rate = 0.50, cap = 5e6, budget = 1.580e9 }
voucher "corpus"   { rate = 0.30, cap = 1e6, budget = 1.054e9 }
voucher "scenario" { rate = 0.30, cap = 2e6, budget = 2.633e9 }
