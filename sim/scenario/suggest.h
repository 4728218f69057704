/*
 * "Did you mean": the one place that picks the nearest name to a
 * misspelled word, for every message that offers one (fields, keys,
 * kinds, names, methods, choices, cities).
 */
#ifndef ZZ_SUGGEST_H
#define ZZ_SUGGEST_H

#include <stddef.h>

/* Nearest candidate to `word` by edit distance (case-insensitive), or -1 if
 * none is close enough to be worth suggesting (at most 1 edit for words of
 * up to 3 letters, 2 up to 6, 3 beyond). Ties go to the earlier one. */
int zz_nearest(const char *word, const char *const *cands, int n);

/* Appends to buf `form` (printf, one %s) with the nearest candidate, as
 * shown[i] when shown is not NULL, else cands[i]; appends nothing when none
 * is near. Returns the candidate's index or -1. */
int zz_suggest(char *buf, size_t len, const char *word, const char *const *cands, int n,
               const char *const *shown, const char *form);

/* Appends "a, b, c" to buf (truncating with "..."). */
void zz_join_names(char *buf, size_t len, const char *const *names, int n);

#endif
