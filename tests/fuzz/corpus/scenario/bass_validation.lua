-- bass_validation.lua: the closed-form check a user can run.
--
-- 100,000 firms in one peer group, none adopted at the start, deciding by
-- the Bass rule with the meta-analysis means p = 0.03 and q = 0.38 a year
-- (Sultan, Farley and Lehmann 1990). The mean adopted share must follow
--   F(t) = (1 - exp(-(p+q) t)) / (1 + (q/p) exp(-(p+q) t)):
--   F(1) = 0.0358, F(5) = 0.331, F(10) = 0.813 (FACTS.md).
-- Compare the `all_firms` share in the output with these figures; the
-- test suite does so automatically (tests/c/test_bass.c).

scenario {
  name = "bass_validation",
  start = "2026-01-01",
  years = 10,
  seed = 1,
  replications = 8,
}

population { firms = 100000, initial_adoption = 0 }

decision "bass" { p = 0.03, q = 0.38, review_days = 30, peers = "all" }
