/* The budget ledger: every operation against the identity
 * initial = committed + disbursed + lapsed + available, by hand. */
#include <math.h>

#include "policy/ledger.h"
#include "zz_test.h"

int main(void)
{
    zz_ledger l;
    zz_ledger_open(&l, 100);
    CHECK_NEAR(zz_ledger_commit(&l, 60, 60), 60, 0);
    /* first come, first served: a late applicant gets the rest only if it
     * is a worthwhile award */
    CHECK_NEAR(zz_ledger_commit(&l, 50, 50), 0, 0);
    CHECK_NEAR(zz_ledger_commit(&l, 50, 30), 40, 0);
    zz_ledger_release(&l, 40);
    zz_ledger_pay(&l, 20);
    CHECK_NEAR(l.committed, 40, 0);
    CHECK_NEAR(l.disbursed, 20, 0);
    CHECK_NEAR(zz_ledger_available(&l), 40, 0);
    /* a cut larger than what is available takes what is available, never
     * what is committed */
    zz_ledger_adjust(&l, -1000);
    CHECK_NEAR(zz_ledger_available(&l), 0, 0);
    CHECK_NEAR(l.initial, 60, 0);
    CHECK_NEAR(l.committed + l.disbursed, 60, 0);
    zz_ledger_adjust(&l, 25);
    CHECK_NEAR(zz_ledger_available(&l), 25, 0);
    /* a new fiscal year: what is available lapses, the new budget comes */
    zz_ledger_new_year(&l, 100);
    CHECK_NEAR(l.lapsed, 25, 0);
    CHECK_NEAR(zz_ledger_available(&l), 100, 0);
    CHECK_NEAR(zz_ledger_pay_now(&l, 30), 30, 0);
    CHECK_NEAR(l.initial, l.committed + l.disbursed + l.lapsed + zz_ledger_available(&l), 1e-9);
    return zz_test_finish();
}
