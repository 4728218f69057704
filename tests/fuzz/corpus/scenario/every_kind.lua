-- every_kind.lua: one block of each kind, so `zhizao check` shows every key.
scenario { name = "every_kind" }
decision "bass" { p = 0.02, q = 0.4, peers = "city_industry" }
voucher "compute"  { budget = 1e8 }
voucher "model"    { budget = 1e8 }
voucher "corpus"   { budget = 1e8 }
voucher "scenario" { budget = 1e8 }
subsidy "investment" { budget = 1e8 }
subsidy "interest"   { budget = 1e8, points = 1.5 }
risk_compensation { budget = 1e8 }
insurance { budget = 1e8 }
equity { budget = 1e8 }
campaign "spring" { date = "2026-04-01", amount = 20000, budget = 6e6 }
chain_leader { budget = 1e8, cap = 5e5 }
contest "jb" { opens = "2026-03-01", closes = "2026-05-01", budget = 1e8, rounds = 2, round_interval = 180 }
target { name = "jinan", city = "Jinan" }
pioneer { city = "Qingdao", industry = "light_industry" }
compute { capacity = 23180, expansions = { ["2027-06-01"] = 5000, ["2026-09-01"] = 1000 } }
