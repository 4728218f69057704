-- talent_only.lua: the talent programme alone (人才引进安家扶持, seeds 000
-- and 001: Jinan's relocation and settling-in support for AI talent).
--
-- An eligible small or medium firm that starts its AI project hires an AI
-- specialist; the programme pays 40% of the hire's first-year cost (about
-- 300,000 yuan), at most 150,000 yuan, once per firm. The hire raises the
-- firm's implementation capability (success probability +0.1, true and
-- perceived) and cuts implementation time by a quarter. Budget: 0.3 bn yuan
-- a year. The figures are assumptions (docs/model.md).

include "baseline.lua"

scenario { name = "talent_only" }

talent {
    rate = 0.4, hire_cost = 3e5, cap = 1.5e5,
    success_boost = 0.1, time_cut = 0.25,
    sizes = { "small", "medium" },
    budget = 3e8, budget_per_year = true,
}
