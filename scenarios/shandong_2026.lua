-- shandong_2026.lua: Shandong's "AI + manufacturing" action plan, 2026-2028.
--
-- What the plan announces (seed documents 002 and 004, FACTS.md):
--   * more than 10 bn yuan of provincial fiscal funds over three years
--     ("25 articles, 50 measures");
--   * compute, model, corpus and scenario vouchers (算力券, 模型券, 语料券,
--     场景券) and investment rewards for intelligent retrofits;
--   * 30 benchmark (标杆) projects a year chosen by open challenge lists
--     (揭榜挂帅) in the ten challenge industries;
--   * 13 pioneer cities, one industry each (一业一市), each to bring at least
--     50% of its above-size (规上) firms in that industry to AI within about
--     a year.
-- How the 10 bn is split between instruments is not published: the split
-- below is an assumption, to be replaced when the budgets are known.

include "baseline.lua"        -- same firms, seed and horizon as the baseline

scenario { name = "shandong_2026" }

-- Vouchers: each covers its own share of a project's cost, up to a cap.
-- Rates follow comparable programmes (Shanghai: compute and corpus up to 30%,
-- model up to 50%); vouchers lapse after 12 months unused (Qingyang).
voucher "compute"  { rate = 0.30, cap = 2e6, budget = 1.0e9 }
voucher "model"    { rate = 0.50, cap = 5e6, budget = 0.6e9 }
voucher "corpus"   { rate = 0.30, cap = 1e6, budget = 0.4e9 }
voucher "scenario" { rate = 0.30, cap = 2e6, budget = 1.0e9 }

-- Investment reward for completed intelligent retrofits (智能化改造):
-- 20% of the investment, at most 5 m yuan a project.
subsidy "investment" { rate = 0.20, cap = 5e6, budget = 4.0e9 }

-- 揭榜挂帅: one round a year (2026, 2027, 2028), 30 winners each, in the
-- ten challenge industries; rewards up to 50% of the actual investment
-- (Jinan's rule, seed 000), capped at 10 m yuan.
contest "benchmark" {
  opens = "2026-03-01", closes = "2026-05-01", rounds = 3,
  industries = { "electronics", "light_industry", "chemicals", "machinery", "automotive",
                 "steel", "textiles", "nonferrous", "food", "building_materials" },
  winners = 30, reward_rate = 0.5, reward_cap = 1e7, budget = 0.9e9,
}

-- The 13 pioneer cities (announced 2026-05-29). Seed 002 names six pairs;
-- the other seven industries are assumptions from each city's largest
-- industrial base (docs/model.md lists them).
pioneer { city = "Jinan",     industry = "electronics" }
pioneer { city = "Qingdao",   industry = "light_industry" }
pioneer { city = "Weifang",   industry = "machinery" }
pioneer { city = "Jining",    industry = "machinery" }
pioneer { city = "Weihai",    industry = "textiles" }
pioneer { city = "Zibo",      industry = "chemicals" }
pioneer { city = "Yantai",    industry = "automotive" }          -- assumption
pioneer { city = "Dongying",  industry = "chemicals" }           -- assumption
pioneer { city = "Linyi",     industry = "building_materials" }  -- assumption
pioneer { city = "Binzhou",   industry = "nonferrous" }          -- assumption
pioneer { city = "Rizhao",    industry = "steel" }               -- assumption
pioneer { city = "Dezhou",    industry = "food" }                -- assumption
pioneer { city = "Liaocheng", industry = "nonferrous" }          -- assumption
