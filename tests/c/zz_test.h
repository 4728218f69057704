/*
 * A minimal test harness: CHECK records a failure and carries on, so one
 * run reports every broken expectation; the test's main returns
 * zz_test_finish(), which prints "N passed, N failed" and gives the exit code.
 */
#ifndef ZZ_TEST_H
#define ZZ_TEST_H
#include <stdio.h>

extern int zz_test_passed, zz_test_failed;

#define CHECK(cond) zz_test_check((cond), #cond, __FILE__, __LINE__, "")
#define CHECKF(cond, ...)                                                   \
    do {                                                                    \
        char zz_msg_[512];                                                  \
        snprintf(zz_msg_, sizeof zz_msg_, __VA_ARGS__);                     \
        zz_test_check((cond), #cond, __FILE__, __LINE__, zz_msg_);          \
    } while (0)
/* a and b are evaluated once (they may have side effects) */
#define CHECK_NEAR(a, b, tol)                                               \
    do {                                                                    \
        double zz_a_ = (double)(a), zz_b_ = (double)(b), zz_t_ = (double)(tol); \
        CHECKF(fabs(zz_a_ - zz_b_) <= zz_t_, "%s = %.9g, %s = %.9g, tol %.3g", #a, zz_a_, #b, \
               zz_b_, zz_t_);                                               \
    } while (0)

void zz_test_check(int ok, const char *expr, const char *file, int line, const char *msg);
int zz_test_finish(void);
/* Path of a file in the source tree (ZZ_SOURCE_DIR), in a static buffer. */
const char *zz_test_source(const char *rel);
#endif
