/*
 * A programme's budget ledger. Money moves only through these calls, so the
 * identity
 *     committed + disbursed + lapsed + available = initial
 * holds after every one of them (tests check it at every observation).
 *   initial    appropriated so far (grows by the budget each fiscal year for
 *              per-year programmes)
 *   committed  promised to firms and not yet paid or released
 *   disbursed  paid out (cumulative)
 *   returned   released back to the pot unused (cumulative flow; that money
 *              is available again, so it is part of `available`)
 *   lapsed     a per-year pot's unspent money at a fiscal-year end
 * A commitment larger than what is available is refused, never overdrawn.
 */
#ifndef ZZ_LEDGER_H
#define ZZ_LEDGER_H

typedef struct zz_ledger {
    double initial, committed, disbursed, returned, lapsed;
} zz_ledger;

static inline double zz_ledger_available(const zz_ledger *l)
{
    double a = l->initial - l->committed - l->disbursed - l->lapsed;
    return a > 0 ? a : 0;
}

void zz_ledger_open(zz_ledger *l, double budget);
/* Commits up to `amount`; returns what was committed (0 if the pot is dry:
 * first come, first served, no partial awards below `min_award`). */
double zz_ledger_commit(zz_ledger *l, double amount, double min_award);
void zz_ledger_pay(zz_ledger *l, double amount);      /* committed -> disbursed */
void zz_ledger_release(zz_ledger *l, double amount);  /* committed -> available */
/* Pays directly from the pot (no prior commitment); returns what was paid. */
double zz_ledger_pay_now(zz_ledger *l, double amount);
/* Fiscal-year reset of a per-year pot: what is available lapses and a new
 * year's budget is appropriated. Commitments carry over. */
void zz_ledger_new_year(zz_ledger *l, double budget);
/* Changes the budget mid-run (scenario action): adds to or takes from what is
 * available, never below zero available. */
void zz_ledger_adjust(zz_ledger *l, double delta);

#endif
