-- vouchers_only.lua: the plan's money spent on vouchers alone.
--
-- Same firms, seed and horizon as shandong_2026.lua and the same fiscal
-- money (9.97 bn yuan: everything shandong_2026.lua spends but the equity
-- fund, which is an industry fund, not fiscal money), all of it in the four
-- vouchers, in the plan's proportions between them. Compare with
-- contest_only.lua and subsidy_only.lua (zhizao compare) to see what each
-- instrument buys for the same money.

include "baseline.lua"

scenario { name = "vouchers_only" }

voucher "compute"  { rate = 0.30, cap = 2e6, budget = 3.323e9 }
voucher "model"    { rate = 0.50, cap = 5e6, budget = 1.994e9 }
voucher "corpus"   { rate = 0.30, cap = 1e6, budget = 1.329e9 }
voucher "scenario" { rate = 0.30, cap = 2e6, budget = 3.323e9 }
