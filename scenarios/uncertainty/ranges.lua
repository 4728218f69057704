-- The uncertain parameters of the library and their ranges, shared by
-- uncertainty.lua (Sobol points) and uncertainty_saltelli.lua (Sobol
-- indices); docs/model.md section 6.1 says why each is uncertain.

-- Mean hurdle (lognormal, default 0.9): an assumption, the required
-- return of 不敢投/不愿投 (FACTS 000); the gain is calibrated against it
-- (docs/model.md, "Calibration"), so a different hurdle is a different
-- world, not a different reading of the same data. At 0.6 the no-policy
-- baseline alone ends near 50% of 规上 firms; at 1.2 even shandong_2026
-- misses it: the range spans both.
uncertain "population.hurdle_mean"  { 0.6, 1.2 }

-- Decision noise (default 0.25): an assumption. A log scale because what
-- matters is the ratio to the valuation's spread; from nearly
-- deterministic (0.15) to mostly noise (0.6).
uncertain "decision.temperature"    { 0.15, 0.6, scale = "log" }

-- Publicity of a contest benchmark (default 5: its outcome, success or
-- failure, counts as five ordinary projects' with every firm that sees it;
-- docs/model.md 6.1): an assumption. No source in FACTS.md or the seeds
-- measures how widely a 揭榜挂帅 benchmark is seen: the seeds give only the
-- scale of the demonstrations (30 benchmark projects a year province-wide,
-- 004; 1,000 demonstration projects in Jinan's plan, 001), not how much one
-- moves other firms' beliefs; the no-policy moments of the calibration
-- cannot see it (no contest runs there). From unseen (0) to ten projects'
-- worth; whatever its value, beliefs tend to the observed success rate,
-- never above it.
uncertain "decision.learn_publicity" { 0, 10 }

-- Prior mean of a project's success at readiness 0.5 (default 0.40, below
-- the true 0.55: 不敢投/不愿投, seed 000): an assumption; +-0.1 is the
-- spread of pilot-success shares reported for manufacturing AI projects.
-- Firms learn from outcomes toward the truth, so the prior matters most
-- in the first years.
uncertain "decision.belief_mean"    { 0.35, 0.55 }

-- Yearly chance of hearing of a workable project (default 0.25): an
-- assumption; campaigns act through it.
uncertain "decision.awareness_rate" { 0.15, 0.4 }

-- Yearly gain of the median project per yuan of revenue at readiness 0.5
-- (default 0.0121, hand-set with the learning and technology parameters
-- until re-estimated; the earlier calibration gave 0.00976 with standard
-- error 0.0039, and the range is that estimate +- one standard error).
uncertain "decision.gain_rate"      { 0.006, 0.0135 }

-- Log-sd of a firm's own project gain around the median's (default 2.0):
-- calibrated, but the moments bound it from below only (below about 1 the
-- small firms' rate falls far under the EU's); the default sits on the
-- upper bound of the calibration's box, an economic limit (at 2 the top
-- 1% of projects already gain a hundred times the median's).
uncertain "decision.return_sd"      { 1.0, 2.0 }
