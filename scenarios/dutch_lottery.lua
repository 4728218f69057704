-- dutch_lottery.lua: the Dutch innovation-voucher scheme of 2004 as far as
-- the model can reproduce it (Cornet, Vroomen and van der Steeg 2006, CPB;
-- data/observed.csv, rows nl_voucher_*), for the policy-response moment
-- of a calibration (docs/calibration.md, "Policy-response moments"):
--
--   moment "dutch_vouchers" { kind = "additionality", scenario = "dutch_lottery.lua",
--                             group = { size = { "micro", "small" } },
--                             data = "nl_voucher_additional_share_of_used" }
--
-- The Dutch design, and what stands for it here:
-- * SMEs only (nl_voucher_sme_only): the vouchers go to micro and small
--   firms (sizes below). The model's medium class (20-300 million yuan of
--   revenue) holds many firms the EU would call large, so it is left out.
-- * One voucher paid for a small first project with a knowledge
--   institution, no own contribution stated (nl_voucher_own_contribution,
--   not verified). The model has no single all-purpose voucher: its four
--   vouchers each cover one cost component (compute 25%, model 20%, data
--   10%, integration 30% of a project; docs/model.md). All four at 88%
--   cover 0.88 x 85% = about three quarters of a project; the other 15%
--   (the firm's own staff and the like) stays the firm's.
-- * Value 7,500 EUR (nl_voucher_value): about 60,000 yuan (8 yuan a euro,
--   an assumption: the rate has moved between 7 and 11 since 2004), split
--   between the four vouchers by their components' shares, so a firm gets
--   at most 60,000 yuan in all. A micro firm's project (at least 50,000
--   yuan) is then covered at the rate; larger ones at the cap.
-- * Valid six months (nl_voucher_valid_months, not verified; 12 in 2008).
-- * Allocated by LOTTERY among the applicants when applications exceeded
--   the vouchers (nl_voucher_lottery). The model has no lottery: its pots
--   are first come, first served, which hands the money first to firms
--   ready to invest anyway. So this scenario's deadweight is, if anything,
--   above the lottery's; the moment compares like with like only as far
--   as that goes (docs/instruments.md, "Vouchers beside the Dutch voucher
--   lottery").
-- * The number of 2004 vouchers was not reached: the pot here pays about
--   200 full vouchers (12 million yuan) on 40,000 firms, enough supported
--   adopters per replication for a share with a small simulation error.
-- One year, the calibration's firms (calibration_base.lua): additionality
-- is counted at the end of the year (adopted in the run, not in the twin).

include "calibration_base.lua"
scenario { name = "dutch_lottery" }

local sizes = { "micro", "small" }
voucher "compute"  { rate = 0.88, cap = 17650, firm_cap = 17650, valid_days = 182, budget = 3.53e6, sizes = sizes }
voucher "model"    { rate = 0.88, cap = 14100, firm_cap = 14100, valid_days = 182, budget = 2.82e6, sizes = sizes }
voucher "corpus"   { rate = 0.88, cap = 7050,  firm_cap = 7050,  valid_days = 182, budget = 1.41e6, sizes = sizes }
voucher "scenario" { rate = 0.88, cap = 21200, firm_cap = 21200, valid_days = 182, budget = 4.24e6, sizes = sizes }

-- the accounting group of the moment (zhizao run --counterfactual reports
-- its supported and deadweight adopters under this name)
target { name = "micro_small", size = { "micro", "small" } }
