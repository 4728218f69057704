-- The best split of the Shandong envelope (zhizao optimise; docs/optimise.md).
-- The nine fiscal programmes with real money are re-split (9.8 bn yuan, the
-- plan's own total for them); campaigns, the chain-leader programme and the
-- non-fiscal equity fund keep their budgets. Reduced to 30,000 firms so the
-- search runs in minutes on two cores; the figures in docs/optimise.md come
-- from this file:
--
--   zhizao optimise scenarios/optimise_shandong.lua -o opt_shandong.h5
--
-- The campaign-led mix (campaign_led.lua: 7 bn of the envelope in diagnosis
-- campaigns) is compared with the plan and the other mixes in results.lua;
-- to let the search move money into awareness, put a campaign with room to
-- spend in shares, e.g. in a copy of this file:
--   shares = { ..., "campaign.diagnosis" } with shandong_30k.lua plus
--   campaign "diagnosis" { date = "2026-03-15", firms = 25000, amount = 1e5, budget = 1e9 }
optimise {
  scenario = "shandong_30k.lua",
  budget = 9.8e9,
  shares = { "voucher.compute", "voucher.model", "voucher.corpus", "voucher.scenario",
             "subsidy.investment", "subsidy.interest", "risk_compensation", "insurance",
             "contest.benchmark" },
  objective = "time_to_target", target = "province_gsz", by = "2027-12-31",
  replications = 8, seed = 5,
  starts = 36, evaluations = 60,
  confirm = 3, confirm_replications = 32,
}
