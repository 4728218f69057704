/*
 * The instrument table: one row per instrument (instrument.h). Its order is
 * the order of the declarations in the docs and of `zhizao check
 * --reference`; nothing depends on it otherwise.
 */
#include <stdio.h>
#include <string.h>

#include "policy/instrument.h"
#include "policy/policy.h"

extern const zz_instrument zz_voucher_compute, zz_voucher_model, zz_voucher_corpus,
    zz_voucher_scenario, zz_subsidy_investment, zz_subsidy_interest, zz_risk_compensation,
    zz_insurance, zz_equity, zz_campaign, zz_chain_leader, zz_contest, zz_talent;

const zz_instrument *const zz_instruments[] = {
    &zz_voucher_compute, &zz_voucher_model,    &zz_voucher_corpus,   &zz_voucher_scenario,
    &zz_subsidy_investment, &zz_subsidy_interest, &zz_risk_compensation, &zz_insurance,
    &zz_equity,          &zz_campaign,         &zz_chain_leader,     &zz_contest,
    &zz_talent,
};
const int zz_ninstruments = (int)(sizeof zz_instruments / sizeof *zz_instruments);
_Static_assert(sizeof zz_instruments / sizeof *zz_instruments <= ZZ_MAX_INSTRUMENTS,
               "raise ZZ_MAX_INSTRUMENTS");

void zz_instrument_stem(int k, char *buf, size_t len)
{
    const zz_instrument *in = zz_instruments[k];
    if (in->variant)
        snprintf(buf, len, "%s.%s", in->word, in->variant);
    else
        snprintf(buf, len, "%s", in->word);
}

int zz_instrument_find(const char *stem)
{
    char s[64];
    for (int k = 0; k < zz_ninstruments; k++) {
        zz_instrument_stem(k, s, sizeof s);
        if (strcmp(s, stem) == 0)
            return k;
    }
    return -1;
}

/* What the rest of the run sizes from the programmes (policy.h). */
int zz_config_rounds(const zz_config *cfg)
{
    int k = 0;
    for (int g = 0; g < cfg->nprogrammes; g++) {
        const zz_instrument *ops = zz_instruments[cfg->programme[g].kind];
        int r = ops->rounds ? ops->rounds(&cfg->programme[g]) : 0;
        if (r > k)
            k = r;
    }
    return k < ZZ_MAX_ROUNDS ? k : ZZ_MAX_ROUNDS;
}

int zz_config_chain_partners(const zz_config *cfg)
{
    for (int k = 0; k < cfg->nprogrammes; k++) {
        const zz_instrument *ops = zz_instruments[cfg->programme[k].kind];
        int n = ops->chain_partners ? ops->chain_partners(&cfg->programme[k]) : 0;
        if (n > 0)
            return n;
    }
    return ZZ_CHAIN_PARTNERS;
}
