-- dutch_like_voucher.lua: the plan's four vouchers designed as the Dutch
-- innovation voucher was (Cornet, Vroomen and van der Steeg 2006, FACTS):
-- for micro and small firms only, covering about three quarters of a
-- project, awarded by lottery among each window's applicants.
--
-- All four kinds at 90% of their cost component: the four components are
-- 85% of a project (docs/model.md 6.1), so 76% of a project in 2026, a
-- little less later as compute and model costs fall. Applications are
-- gathered over 90-day windows and decided 30 days after a window closes,
-- winners drawn at random (allocation = "lottery", docs/model.md 6.4.1).
-- 1 bn yuan in all, as each instrument alone in docs/instruments.md.
-- Compare with vouchers_only.lua (the plan's design: small shares, every
-- size, first come first served):
--
--   zhizao run scenarios/dutch_like_voucher.lua --counterfactual -o dutch.h5

include "baseline.lua"

scenario { name = "dutch_like_voucher" }

local dutch = { rate = 0.9, cap = 1e6, budget = 0.25e9, sizes = { "micro", "small" },
                allocation = "lottery", window_days = 90, review_days = 30 }
local function kind(k)
  local t = {}
  for key, v in pairs(dutch) do t[key] = v end
  voucher(k)(t)
end
kind "compute"
kind "model"
kind "corpus"
kind "scenario"
