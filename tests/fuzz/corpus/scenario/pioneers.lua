-- pioneers.lua: the 13 pioneer cities of "AI + manufacturing" (一业一市),
-- announced on 2026-05-29, each with its one industry and the plan's
-- target: at least 50% of that industry's above-size (规上) firms using AI
-- within about a year (seed 002). Included by the provincial scenarios so
-- that every one of them reports the same target groups.
--
-- Seed 002 names six pairs. The other seven cities and industries are not
-- in the sources; each is an assumption from the city's largest industrial
-- base, marked below and listed in docs/model.md.

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
