-- The uncertain parameters of the library and their ranges, shared by
-- uncertainty.lua (Sobol points) and uncertainty_saltelli.lua (Sobol
-- indices); docs/model.md section 6.1 says why each is uncertain.

-- Mean hurdle (lognormal, default 0.9): calibrated so that the baseline
-- reproduces the EU's 6-7% of non-adopters a year (FACTS, Eurostat), one
-- figure from another economy. At 0.6 the no-policy baseline alone ends
-- near 50% of 规上 firms; at 1.2 even shandong_2026 misses it: the range
-- spans both.
uncertain "population.hurdle_mean"  { 0.6, 1.2 }

-- Decision noise (default 0.25): an assumption. A log scale because what
-- matters is the ratio to the valuation's spread; from nearly
-- deterministic (0.15) to mostly noise (0.6).
uncertain "decision.temperature"    { 0.15, 0.6, scale = "log" }

-- Demonstration effect of an accepted contest winner (default 0.02): an
-- assumption with no source. The contest's lead vanishes at a quarter of
-- the default; twice the default is as plausible as a quarter.
uncertain "decision.success_demo"   { 0.005, 0.04 }

-- Perceived success before any peer has adopted (default 0.45): an
-- assumption; +-0.1 is the spread of pilot-success shares reported for
-- manufacturing AI projects.
uncertain "decision.success_base"   { 0.35, 0.55 }

-- Yearly chance of hearing of a workable project (default 0.25): an
-- assumption; campaigns act through it.
uncertain "decision.awareness_rate" { 0.15, 0.4 }

-- Gain per year as a share of revenue at readiness 0.5 (default 0.008):
-- calibrated together with the hurdle; +-25%.
uncertain "decision.gain_rate"      { 0.006, 0.01 }
