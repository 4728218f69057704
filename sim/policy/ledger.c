#include "policy/ledger.h"

#include <assert.h>

void zz_ledger_open(zz_ledger *l, double budget)
{
    *l = (zz_ledger){.initial = budget};
}

double zz_ledger_commit(zz_ledger *l, double amount, double min_award)
{
    double avail = zz_ledger_available(l);
    /* First come, first served: a late applicant gets what is left only if
     * it is a worthwhile award; otherwise nothing. */
    if (amount > avail)
        amount = avail >= min_award ? avail : 0;
    if (amount <= 0)
        return 0;
    l->committed += amount;
    return amount;
}

void zz_ledger_pay(zz_ledger *l, double amount)
{
    assert(amount <= l->committed * (1 + 1e-12) + 1e-6);
    l->committed -= amount;
    l->disbursed += amount;
    if (l->committed < 0)
        l->committed = 0;
}

void zz_ledger_release(zz_ledger *l, double amount)
{
    assert(amount <= l->committed * (1 + 1e-12) + 1e-6);
    l->committed -= amount;
    l->returned += amount;
    if (l->committed < 0)
        l->committed = 0;
}

double zz_ledger_pay_now(zz_ledger *l, double amount)
{
    double got = zz_ledger_commit(l, amount, amount);
    zz_ledger_pay(l, got);
    return got;
}

void zz_ledger_new_year(zz_ledger *l, double budget)
{
    l->lapsed += zz_ledger_available(l);
    l->initial += budget;
}

void zz_ledger_adjust(zz_ledger *l, double delta)
{
    double avail = zz_ledger_available(l);
    if (delta < -avail)
        delta = -avail;
    l->initial += delta;
}
