/*
 * A run's per-replication result (results.h) as bytes, to send it from the
 * rank that computed it to the rank that writes the file
 * (experiment/mpi_runner.c, for compare). Every array the result holds is
 * described once in rep_pack.c's table; the header carries the sizes and
 * which optional parts (paired accounting, per-firm record) are present.
 * Native byte order: the ranks of one job share an architecture.
 */
#ifndef ZZ_REP_PACK_H
#define ZZ_REP_PACK_H

#include <stddef.h>

#include "output/results.h"

size_t zz_rep_packed_size(const zz_rep_result *r);
/* Writes zz_rep_packed_size(r) bytes to buf. */
void zz_rep_pack(const zz_rep_result *r, unsigned char *buf);
/* A new result from len bytes at buf, or NULL (out of memory, or the bytes
 * do not hold a result). */
zz_rep_result *zz_rep_unpack(const unsigned char *buf, size_t len);

#endif
