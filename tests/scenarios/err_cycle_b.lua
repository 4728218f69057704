-- see err_cycle_a.lua
include "err_cycle_a.lua"
