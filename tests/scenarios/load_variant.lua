-- load_variant.lua: a few lines on top of load_base.lua; blocks merge.
include "load_base.lua"

scenario { name = "load_variant" }
voucher "compute" { rate = 0.4 }                      -- cap, budget, filters stay
population { size_share = { micro = 0.35, small = 0.35 } }
pioneer { city = "Jinan", industry = "electronics", share = 0.6 }
target { name = "jinan_all", city = "Jinan", share = 0.45 }

when(function(sim) return sim:share{ city = "Jinan", industry = "electronics" } >= 0.4 end,
     function(sim) sim:stop() end)
