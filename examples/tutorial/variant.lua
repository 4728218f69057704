-- variant.lua: the base plus compute and model vouchers.
--
-- `include` runs base.lua first; the blocks below then add to what it
-- declared or change it, field by field. Only what is written here differs
-- from the base, so `zhizao compare` isolates the effect of the vouchers.

include "base.lua"

scenario { name = "vouchers" }      -- compare needs a distinct name

-- 算力券: 30% of a project's compute bill, at most 2 m yuan, from a 1 bn pot.
voucher "compute" { rate = 0.30, cap = 2e6, budget = 1e9 }

-- 模型券 for small and medium firms: half the model cost, at most 1 m yuan.
voucher "model" { rate = 0.50, cap = 1e6, budget = 5e8, sizes = { "small", "medium" } }

-- After a year, the compute voucher covers half the bill.
at("2027-01-01", function(sim)
  sim:set("voucher.compute.rate", 0.5)
end)
