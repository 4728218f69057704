/* FNV-1a (64 bits), written once: the keys the drivers share no-policy
 * twins and populations by, and the digests that explore, calibrate and
 * optimise files carry so that --resume refuses a changed study. No
 * library the project depends on offers a hash in its public interface
 * (GSL has none; HDF5's checksums and Lua's string hash are internal), and
 * the function is three lines.
 * ZZ_FNV0 is not FNV's published offset basis, 14695981039346656037: the
 * first copy lost the last digit (the hash is as good from any start).
 * It stays, because result files store digests made with it:
 * changing it would make every earlier .partial file refuse to resume
 * (tests/c/test_engine.c pins both it and the published test vectors).
 *
 *     uint64_t h = zz_fnv_str(ZZ_FNV0, text);    text with its NUL
 *     h = zz_fnv(h, &x, sizeof x);              then any bytes
 */
#ifndef ZZ_HASH_H
#define ZZ_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define ZZ_FNV0 1469598103934665603ull /* the start (see above) */

/* h extended by n bytes of data. */
static inline uint64_t zz_fnv(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

/* h extended by s and its terminating NUL, so that ("ab", "c") and
 * ("a", "bc") differ; NULL hashes as "". */
static inline uint64_t zz_fnv_str(uint64_t h, const char *s)
{
    return s ? zz_fnv(h, s, strlen(s) + 1) : zz_fnv(h, "", 1);
}

#endif
