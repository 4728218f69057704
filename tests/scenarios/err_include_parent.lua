-- err_include_parent.lua: includes a file with a mistake; the message must
-- name the included file and its line (tests/c/test_scenario_errors.c).
scenario { name = "parent" }
include "err_include_child.lua"
