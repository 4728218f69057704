scenario { name = "r", years = 1 }
decision "lua" { fn = function(f) return f.readiness * 0.1 end }
at("2026-06-01", function(sim) sim:set("decision.temperature", 0.2) end)
when(function(sim) return sim:share{} > 0.3 end, function(sim) sim:stop() end)
