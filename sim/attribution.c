/*
 * Which target groups a cost per additional adopter may be quoted for: the
 * whole population, and a group holding every firm any enabled programme
 * may pay, so that the plan's money is that group's money. The rule
 * analysis/zhizao/answer.py (cost_groups) applies to the resolved
 * parameters; docs/reading-results.md, "Which groups get a cost".
 */
#include <string.h>

#include "ensemble.h"
#include "policy/instrument.h"

/* Every firm programme p may pay lies in target g's group (a zero mask is
 * "all"); the rule headline.py applies to the resolved parameters. */
static int within(const zz_filter *p, const zz_filter *t)
{
    if (t->cities && (!p->cities || (p->cities & ~t->cities)))
        return 0;
    if (t->industries && (!p->industries || (p->industries & ~t->industries)))
        return 0;
    if (t->sizes && (!p->sizes || (p->sizes & ~t->sizes)))
        return 0;
    return !t->gsz_only || p->gsz_only;
}

int zz_cost_attributable(const zz_config *cfg, int g)
{
    if (!strcmp(cfg->target[g].name, "all_firms"))
        return 1;
    for (int p = 0; p < cfg->nprogrammes; p++)
        if (cfg->programme[p].enabled && !within(&cfg->programme[p].filter, &cfg->target[g].filter))
            return 0;
    return 1;
}

double zz_outlay(const zz_rep_result *r, const zz_config *cfg, int p)
{
    const size_t at = (size_t)(r->ntime - 1) * r->nprogrammes + p;
    const int kind = cfg->programme[p].kind;
    const int guarantee = kind >= 0 && kind < zz_ninstruments && zz_instruments[kind]->guarantee;
    return r->spent[at] + (guarantee && r->committed ? r->committed[at] : 0);
}
