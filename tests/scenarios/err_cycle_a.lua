-- err_cycle_a.lua and err_cycle_b.lua include each other.
include "err_cycle_b.lua"
