-- calibration_base.lua: baseline.lua as the calibration simulates it.
--
-- The moments of scenarios/calibration.lua are shares and yearly rates in
-- 2026, so one year and 40,000 firms suffice (a firm's attributes and
-- draws do not depend on how many others there are, and every moment is a
-- share); the replications' own populations (calibrate draws one per
-- replication) carry the population noise.

include "baseline.lua"
scenario { years = 1 }
population { firms = 40000 }
