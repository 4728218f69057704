-- calibration.lua: the default calibration of the no-policy world, by the
-- method of simulated moments (docs/calibration.md; the result, with each
-- moment's fit, is in docs/model.md, "Calibration"):
--
--   zhizao calibrate scenarios/calibration.lua -o calib.h5
--
-- Its estimates are the defaults in sim/config.c. The same file checks them
-- in the suite: `zhizao calibrate scenarios/calibration.lua --at-default`
-- prints each moment at the defaults with its t (tests/python/test_calibrate.py).

calibrate { scenario = "calibration_base.lua", replications = 8, seed = 3,
            starts = 24, evaluations = 120, jacobian_step = 0.1 }

-- The firm's own project return: log-sd of its gain around the median's
-- (the margin). The upper bound 2 is an economic limit (the top 1% of
-- projects gain a hundred times the median's); the moments bound it from
-- below only (docs/model.md, "Calibration").
free "decision.return_sd"           { 0.5, 2.0 }
-- Yearly gain of the median AI project per yuan of revenue, at readiness 0.5
free "decision.gain_rate"           { 0.002, 0.05 }
-- (gain_readiness stays at its assumed 0.02: freed, it went to 0 with a
-- standard error of 0.5, not identified by these moments)
-- Large firms' initial adoption relative to the 规上 mean
free "population.adoption_mult.large" { 1.0, 3.0 }

-- Observed targets come from data/observed.csv by row id (data = "..."):
-- each row there gives the figure's value, standard error and how it was
-- derived, its population and source, and whether it was checked. A
-- target set by hand here says so.

-- over 35% of 规上 manufacturing firms used AI in 2025 (seeds 002, 004)
moment "gsz_start"   { kind = "share",  group = { gsz = true },     at = "2026-01-31",
                       data = "cn_gsz_ai_share_2025" }
-- large over small adoption at the start, near 3 (Eurostat isoc_eb_ai: EU
-- 2025 55.0% / 17.0% = 3.2; 2023 30.4 / 6.4 = 4.8; US BTOS: 37% of firms
-- with 250+ staff against 17-20% overall)
moment "size_ratio"  { kind = "ratio",  groups = { { size = "large" }, { size = "small" } },
                       at = "2026-01-31", data = "eu_ai_ratio_large_small_2025" }
-- no-policy yearly adoption among 规上 non-adopters: the EU's 6.0-7.5% a
-- year (2023-24 and 2024-25)
moment "gsz_rate"    { kind = "hazard", group = { gsz = true },     from = "2026-01-01", to = "2027-01-01",
                       data = "eu_ai_hazard_all_2023_2025" }
-- EU small firms (10-49 staff): 6.4% to 17.0% in 2023-25, about 5.8% of
-- non-adopters a year
moment "small_rate"  { kind = "hazard", group = { size = "small" },  from = "2026-01-01", to = "2027-01-01",
                       data = "eu_ai_hazard_small_2023_2025" }
-- SET BY HAND, not data: medium and large firms adopt faster than small
-- ones (data/observed.csv: EU 2023-25, eu_ai_hazard_medium_2023_2025 = 10.6%
-- and eu_ai_hazard_large_2023_2025 = 19.6% of non-adopters a year). Those
-- levels cannot hold here together with the 规上 rate above: medium firms
-- are about 86% of 规上 non-adopters, so the 规上 figure (the plan's own
-- measure) pins them near 6.5%; the EU's ordering is kept with wide
-- standard errors (an EU staff class is not a Chinese revenue class).
moment "medium_rate" { kind = "hazard", group = { size = "medium" }, from = "2026-01-01", to = "2027-01-01",
                       value = 0.065, se = 0.01 }   -- by hand (above)
moment "large_rate"  { kind = "hazard", group = { size = "large" },  from = "2026-01-01", to = "2027-01-01",
                       value = 0.12, se = 0.04 }    -- by hand (above)

-- HELD OUT: simulated and reported with the fit, never fitted (holdout =
-- true; adding them leaves the estimate bit for bit as it was). The EU's
-- 2024-25 yearly rates by size, taken as the model's 2026 rates. Their
-- rows in data/observed.csv have no se (each is derived from two rounded
-- shares), so each is compared with the prediction's own interval (the
-- estimate's covariance and the replications' spread). The small-firm
-- rate is not independent of small_rate, whose 2023-25 average contains
-- it; the medium and large ones are the EU levels that the hand-set
-- targets above depart from, so they show how far that choice is from data.
moment "small_rate_eu2025"  { kind = "hazard", group = { size = "small" },  from = "2026-01-01", to = "2027-01-01",
                              data = "eu_ai_hazard_small_2024_2025", holdout = true }
moment "medium_rate_eu2025" { kind = "hazard", group = { size = "medium" }, from = "2026-01-01", to = "2027-01-01",
                              data = "eu_ai_hazard_medium_2024_2025", holdout = true }
moment "large_rate_eu2025"  { kind = "hazard", group = { size = "large" },  from = "2026-01-01", to = "2027-01-01",
                              data = "eu_ai_hazard_large_2024_2025", holdout = true }
-- The Dutch innovation-voucher lottery: 8 of 9 used vouchers paid for a
-- project that would not have happened (data/observed.csv). Held out on
-- this model: the free parameters above are the no-policy world's, and
-- the policy-response parameters are not free here yet. dutch_lottery.lua
-- says how far the model can reproduce the scheme (no lottery: first come,
-- first served).
moment "dutch_vouchers" { kind = "additionality", scenario = "dutch_lottery.lua",
                          group = { size = { "micro", "small" } },
                          data = "nl_voucher_additional_share_of_used", holdout = true }
