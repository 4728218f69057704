-- shandong_2026.lua: Shandong's "AI + manufacturing" action plan, 2026-2028.
--
-- The default scenario of `make run`. What the plan announces (seed
-- documents 002 and 004, FACTS.md):
--   * more than 10 bn yuan of provincial fiscal funds over three years
--     ("25 articles, 50 measures"), and a 2 bn yuan industry fund;
--   * compute, model, corpus and scenario vouchers (算力券, 模型券, 语料券,
--     场景券); investment rewards for intelligent retrofits; loan interest
--     subsidies (贷款贴息); risk compensation (风险补偿); first-of-kind
--     insurance (首台套); equity investment (股权投资);
--   * 30 benchmark (标杆) projects a year chosen by open challenge lists
--     (揭榜挂帅) in the ten challenge industries;
--   * 13 pioneer cities, one industry each (一业一市): at least 50% of that
--     industry's above-size (规上) firms using AI within about a year;
--   * training (about 300 firms in May 2026) and chain leaders (Weichai:
--     500 chain partners within three years);
--   * 23.18 EFLOPS of intelligent compute in the province.
-- How the 10 bn is split between instruments is not published: the split
-- below is an assumption (9.97 bn of the 10 bn), to be replaced when the
-- budgets are known. Rates and caps name their sources.

include "baseline.lua"        -- same firms, seed and horizon as the baseline

scenario { name = "shandong_2026" }

-- Vouchers (3.0 bn): each covers its own share of a project's cost, up to
-- a cap. Rates follow comparable programmes (Shanghai: compute and corpus up
-- to 30%, model up to 50% with a 5 m cap); vouchers lapse after 12 months
-- unused (Qingyang) and go back to the pot.
voucher "compute"  { rate = 0.30, cap = 2e6, budget = 1.0e9 }
voucher "model"    { rate = 0.50, cap = 5e6, budget = 0.6e9 }
voucher "corpus"   { rate = 0.30, cap = 1e6, budget = 0.4e9 }
voucher "scenario" { rate = 0.30, cap = 2e6, budget = 1.0e9 }

-- Investment reward for completed intelligent retrofits (智能化改造), 4.0 bn:
-- 20% of the investment, at most 5 m yuan a project.
subsidy "investment" { rate = 0.20, cap = 5e6, budget = 4.0e9 }

-- Loan interest subsidy, 1.0 bn: 2 points off the rate on the borrowed part.
subsidy "interest" { points = 2, cap = 1e6, budget = 1.0e9 }

-- Risk compensation, 0.6 bn: banks lend to firms without credit access;
-- the pool pays half the loss of a failed project's loan.
risk_compensation { loss_share = 0.5, cap = 2e6, budget = 0.6e9 }

-- First-of-kind insurance, 0.3 bn: the state pays 80% of the premium
-- (the central 首台套 rule), the policy covers 80% of a failed project.
insurance { premium_rate = 0.03, premium_share = 0.8, cover = 0.8, cap = 1e6, budget = 0.3e9 }

-- 揭榜挂帅, 0.9 bn: one round a year (2026, 2027, 2028), 30 winners each,
-- in the ten challenge industries; rewards up to 50% of the actual
-- investment (Jinan's rule, seed 000), capped at 10 m yuan.
contest "benchmark" {
  opens = "2026-03-01", closes = "2026-05-01", rounds = 3,
  industries = { "electronics", "light_industry", "chemicals", "machinery", "automotive",
                 "steel", "textiles", "nonferrous", "food", "building_materials" },
  winners = 30, reward_rate = 0.5, reward_cap = 1e7, budget = 0.9e9,
}

-- Training and matchmaking, 0.024 bn: the May 2026 programme trained about
-- 300 firms; one such campaign each half-year in the pioneer industries.
campaign "training_2026_05" { date = "2026-05-15", firms = 300, amount = 20000, budget = 0.6e7, pioneer_only = true }
campaign "matchmaking_2026_11" { date = "2026-11-15", firms = 300, amount = 20000, budget = 0.6e7, pioneer_only = true }
campaign "matchmaking_2027_05" { date = "2027-05-15", firms = 300, amount = 20000, budget = 0.6e7, pioneer_only = true }
campaign "matchmaking_2027_11" { date = "2027-11-15", firms = 300, amount = 20000, budget = 0.6e7, pioneer_only = true }

-- Chain leaders, 0.15 bn: an adopted leader onboards 500/3 partners a year
-- (Weichai), paying part of their integration cost.
chain_leader { onboard_rate = 166.7, cost_cut = 0.2, peer_boost = 0.1, cap = 5e5, budget = 0.15e9 }

-- Equity (the 2 bn industry fund, outside the 10 bn): 5 m yuan in each of
-- 100 selected firms a year.
equity { amount = 5e6, per_year = 100, cap = 5e6, budget = 2.0e9 }
