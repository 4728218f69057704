/* Chinese names of Shandong's cities and of the plan's industries, accepted
 * wherever a scenario or --set names one (the model's names are English:
 * sim/config.c). */
#include "scenario/aliases.h"

#include <string.h>

static const char *const alias[][2] = {
    {"济南", "Jinan"},       {"青岛", "Qingdao"},     {"淄博", "Zibo"},
    {"枣庄", "Zaozhuang"},   {"东营", "Dongying"},    {"烟台", "Yantai"},
    {"潍坊", "Weifang"},     {"济宁", "Jining"},      {"泰安", "Taian"},
    {"威海", "Weihai"},      {"日照", "Rizhao"},      {"临沂", "Linyi"},
    {"德州", "Dezhou"},      {"聊城", "Liaocheng"},   {"滨州", "Binzhou"},
    {"菏泽", "Heze"},
    {"电子", "electronics"}, {"电子信息", "electronics"}, {"轻工", "light_industry"},
    {"化工", "chemicals"},   {"机械", "machinery"},   {"装备", "machinery"},
    {"汽车", "automotive"},  {"钢铁", "steel"},       {"纺织", "textiles"},
    {"有色", "nonferrous"},  {"有色金属", "nonferrous"}, {"食品", "food"},
    {"建材", "building_materials"}, {"其他", "other"},
};

const char *zz_name_alias(const char *name)
{
    for (size_t i = 0; i < sizeof alias / sizeof *alias; i++)
        if (strcmp(name, alias[i][0]) == 0)
            return alias[i][1];
    return NULL;
}
