/*
 * An experiment record as bytes, to send it from the rank that computed
 * it to the rank that writes the file (experiment/mpi_runner.c). Both
 * ranks build the same layout from the same experiment, so the bytes
 * carry values only: the task's indices, the event counts, the record's
 * doubles and, with --cells, its per-cell counts. Native byte order: the
 * ranks of one job share an architecture.
 */
#ifndef ZZ_XRECORD_PACK_H
#define ZZ_XRECORD_PACK_H

#include <stddef.h>

#include "output/experiment_writer.h"

size_t zz_xrecord_packed_size(const zz_xlayout *L);
/* Writes zz_xrecord_packed_size(L) bytes to buf. */
void zz_xrecord_pack(const zz_xlayout *L, const zz_xrecord *r, unsigned char *buf);
/* Reads them into r (from zz_xrecord_alloc(L)); -1 if the task's indices
 * are outside the layout. r->firms is left to the caller. */
int zz_xrecord_unpack(const zz_xlayout *L, const unsigned char *buf, zz_xrecord *r);

#endif
