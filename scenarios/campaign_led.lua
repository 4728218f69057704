-- campaign_led.lua: the plan's money led by training and diagnosis campaigns.
--
-- The same fiscal money as shandong_2026.lua, vouchers_only.lua,
-- subsidy_only.lua and contest_only.lua (9.97 bn yuan), 7.0 bn of it in
-- campaigns that make unaware firms aware of a workable AI project (each
-- reviews at once) and 2.97 bn in the four vouchers, in the plan's
-- proportions between them. Awareness decides much of what any mix buys
-- (docs/model.md section 5: initial_aware and awareness_rate are
-- assumptions with ranges, data/observed.csv rows model_initial_aware and
-- model_awareness_rate); this mix asks what the envelope buys when it is
-- spent mainly on awareness.
--
-- A campaign here is deeper than the plan's 300-firm training (FACTS 002):
-- an on-site diagnosis (智能化诊断) with training, at 100,000 yuan a firm
-- reached (an assumption). Five rounds, every half-year from March 2026,
-- reach up to 70,000 firms; only firms still unaware can be reached, so
-- like contest_only the same budget is not the same spending: what the
-- campaigns cannot spend is left over (docs/results_2026.md).

include "baseline.lua"

scenario { name = "campaign_led" }

campaign "diagnosis_2026_03" { date = "2026-03-15", firms = 25000, amount = 1e5, budget = 2.5e9 }
campaign "diagnosis_2026_09" { date = "2026-09-15", firms = 15000, amount = 1e5, budget = 1.5e9 }
campaign "diagnosis_2027_03" { date = "2027-03-15", firms = 15000, amount = 1e5, budget = 1.5e9 }
campaign "diagnosis_2027_09" { date = "2027-09-15", firms = 10000, amount = 1e5, budget = 1.0e9 }
campaign "diagnosis_2028_03" { date = "2028-03-15", firms = 5000,  amount = 1e5, budget = 0.5e9 }

voucher "compute"  { rate = 0.30, cap = 2e6, budget = 0.990e9 }
voucher "model"    { rate = 0.50, cap = 5e6, budget = 0.594e9 }
voucher "corpus"   { rate = 0.30, cap = 1e6, budget = 0.396e9 }
voucher "scenario" { rate = 0.30, cap = 2e6, budget = 0.990e9 }
