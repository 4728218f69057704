-- load_base.lua: the base a variant builds on (tests/c/test_scenario_load.c).
scenario { name = "load_base", start = "2026-01-01", years = 2, seed = 7, replications = 4 }

population {
  firms = 5000,
  initial_adoption = 0.3,
  size_share = { micro = 0.4, small = 0.3, medium = 0.2, large = 0.1 },
  credit_access = 0.5,                      -- one number: every size class
}

decision "economic" { temperature = 0.3, review_days = { micro = 300, large = 100 } }

voucher "compute" {
  rate = 0.3, cap = 1.5e6, budget = 6e8,
  start = "2026-03-01", ["end"] = "2027-12-31",
  cities = { "Jinan", "Qingdao" }, industries = "electronics",
  sizes = { "small", "medium" }, states = { "none" },
}

contest "jiebang_2026" {
  opens = "2026-03-01", closes = "2026-05-01", budget = 1.5e8,
  industries = { "electronics", "machinery" }, cities = { "Jinan" }, winners = 30,
}

campaign "may_2026_training" { date = "2026-05-15", firms = 300, cities = { "Jinan" } }

at("2027-01-01", function(sim) sim:set("voucher.compute.rate", 0.4) end)
