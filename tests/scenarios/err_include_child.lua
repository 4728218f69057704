-- err_include_child.lua: see err_include_parent.lua.
voucher "compute" { rate = 0.3, budget = 1e8,
                    cities = { "Jinnan" } }
