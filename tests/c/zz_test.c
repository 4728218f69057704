#include "zz_test.h"
#include <stdlib.h>

int zz_test_passed, zz_test_failed;

void zz_test_check(int ok, const char *expr, const char *file, int line, const char *msg)
{
    if (ok) {
        zz_test_passed++;
        return;
    }
    zz_test_failed++;
    fprintf(stderr, "%s:%d: check failed: %s %s\n", file, line, expr, msg);
}

int zz_test_finish(void)
{
    printf("%d passed, %d failed\n", zz_test_passed, zz_test_failed);
    return zz_test_failed ? 1 : 0;
}

const char *zz_test_source(const char *rel)
{
    static char buf[4096];
    const char *root = getenv("ZZ_SOURCE_DIR");
    snprintf(buf, sizeof buf, "%s/%s", root ? root : ".", rel);
    return buf;
}
