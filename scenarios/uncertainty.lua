-- uncertainty.lua: how sure are the library's answers?
--
-- The policy mixes of the scenario library, run over the behavioural
-- parameters that docs/model.md (section 6.1) marks as assumptions or as
-- calibrated to one figure only. Each point of the design is one plausible
-- calibration; every mix meets the same points, the same firms and the same
-- random numbers, so differences between mixes are paired.
--
--   zhizao explore scenarios/uncertainty.lua -o uncertainty.h5
--   zhizao explore scenarios/uncertainty.lua --design     (the points, as CSV)
--
-- 64 points x 5 scenarios x 8 replications = 2,560 tasks, each at the
-- library's 120,000 firms; add --set population.firms=40000 for a quicker
-- look (the shares hardly move, the spread between replications grows).
-- jinan_2026.lua (two years) and bass_validation.lua (another rule) are not
-- in the list: the scenarios of one experiment share a calendar.

experiment {
  name = "library_uncertainty",
  scenarios = { "baseline.lua", "shandong_2026.lua", "vouchers_only.lua",
                "subsidy_only.lua", "contest_only.lua" },
  design = "sobol",
  points = 64,
  replications = 8,
  seed = 2026,
}

-- The seven uncertain parameters and why each range: see the file.
include "uncertainty/ranges.lua"
