/* Growing an array by doubling, written once: the hand-written
 *     if (n == cap) { cap = cap ? 2 * cap : 16; p = realloc(a, cap * size); ... }
 * with its overflow check and its out-of-memory path.
 *
 *     T *t = zz_grow(arr, &cap, n + 1, sizeof *arr);
 *     if (!t) return ZZ_NOMEM;      (arr and cap unchanged, still valid)
 *     arr = t;
 */
#ifndef ZZ_GROW_H
#define ZZ_GROW_H

#include <stdint.h>
#include <stdlib.h>

/* arr if it already holds `need` elements of `size` bytes (its capacity is
 * *cap), else arr moved to room for at least need (double the capacity, at
 * least 16) with *cap updated; NULL when out of memory or too large, arr
 * and *cap then unchanged (and when need is 0 and there is no array yet). */
static inline void *zz_grow(void *arr, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return arr;
    size_t c = *cap > 8 ? *cap : 8;
    while (c < need)
        c = c > SIZE_MAX / 2 ? need : 2 * c;
    if (size && c > SIZE_MAX / size)
        return NULL;
    void *p = realloc(arr, c * size);
    if (p)
        *cap = c;
    return p;
}

#endif
