-- calibration.lua: the no-policy baseline fitted to the figures of FACTS.md
-- by the method of simulated moments (docs/calibration.md):
--
--   zhizao calibrate scenarios/calibration.lua -o calib.h5
--
-- An example of the tool, not yet the default calibration: with today's
-- model (economic rule, default heterogeneity) small firms barely adopt
-- without support, so the small-firm moment cannot be met and J rejects
-- the fit. That is the finding the calibration is for.

calibrate { scenario = "baseline.lua", replications = 8, seed = 3, starts = 12, evaluations = 60 }

free "population.hurdle_mean" { 0.2, 1.5 }   -- required value over cost
free "decision.temperature"   { 0.05, 1.0 }  -- noise of the adopt decision

-- 35% of 规上 manufacturing firms used AI in 2025 (seeds 002, 004)
moment "gsz_start"  { kind = "share",  group = { gsz = true },      at = "2026-01-31",
                      value = 0.35, se = 0.02 }
-- no-policy yearly adoption among 规上 non-adopters: the EU's 6.0-7.5% (Eurostat isoc_eb_ai)
moment "gsz_rate"   { kind = "hazard", group = { gsz = true },      from = "2026-01-01", to = "2027-01-01",
                      value = 0.0675, se = 0.01 }
-- EU small firms (10-49 staff): about 5.8% of non-adopters a year
moment "small_rate" { kind = "hazard", group = { size = "small" },  from = "2026-01-01", to = "2027-01-01",
                      value = 0.058, se = 0.01 }
-- large over small adoption at the start, near 3 (issue 13; EU 2025: 55.0 / 17.0 = 3.2)
moment "size_ratio" { kind = "ratio",  groups = { { size = "large" }, { size = "small" } }, at = "2026-01-31",
                      value = 3.2, se = 0.4 }
