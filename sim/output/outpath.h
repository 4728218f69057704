/*
 * Where a result file may go, and its ".partial" lifecycle; any writer of
 * result files (run, compare, explore, calibrate, optimise) uses these:
 *
 *   zz_outpath_check    before any work: the path is a regular file or does
 *                       not exist, is none of the run's inputs, and its
 *                       directory is writable;
 *   zz_outpath_claim    creates or opens "<path>.partial" and takes an
 *                       exclusive lock on it for the life of the run: a second
 *                       run on the same output stops at once, naming the first;
 *   zz_outpath_commit   renames the verified .partial onto the path, never
 *                       over anything but a regular file;
 *   zz_outpath_release  drops the lock;
 *   zz_outpath_fresh,   the ".writing" files of calibrate and optimise and
 *   zz_outpath_text_*   their side files (calibrated.lua, best_mix.lua);
 *   zz_outpath_resume   opens the rows an interrupted calibration or
 *                       optimisation kept in its text ".partial", checking
 *                       they were written for the same work.
 */
#ifndef ZZ_OUTPATH_H
#define ZZ_OUTPATH_H

#include <stddef.h>
#include <stdio.h>

/* inputs[0..ninputs): files the run reads (scenario, includes, firm file);
 * NULL or "" entries are skipped. ZZ_OK or ZZ_USAGE/ZZ_IO with err set. */
int zz_outpath_check(const char *path, const char *const *inputs, int ninputs, char *err,
                     size_t errlen);
/* The same checks, without "<path>.partial", for a file written beside the
 * result (calibrated.lua, best_mix.lua). */
int zz_outpath_check_side(const char *path, const char *const *inputs, int ninputs, char *err,
                          size_t errlen);
/* *fd receives the locked descriptor (keep it open until release). */
int zz_outpath_claim(const char *partial, int *fd, char *err, size_t errlen);
int zz_outpath_commit(const char *partial, const char *path, char *err, size_t errlen);
void zz_outpath_release(int fd);
/* Takes again the lock that names this process to a second run; call it
 * after HDF5 closed a descriptor of the .partial file (which drops it). */
void zz_outpath_advertise(int fd);

/* Opens the kept rows at `partial` for reading past its first line, which
 * must be `header` (a digest of the work: file, scenario, seed...). `what`
 * completes "written for another ..." in the refusal. ZZ_OK with *in open,
 * ZZ_IO (unreadable) or ZZ_USAGE (other work) with err set. */
int zz_outpath_resume(const char *partial, const char *header, const char *what, FILE **in,
                      char *err, size_t errlen);

/* Opens the text ".partial" of calibrate or optimise empty for writing,
 * never through a symbolic link nor into a device or pipe. */
int zz_outpath_rewrite(const char *partial, FILE **fp, char *err, size_t errlen);

/* Creates `tmp` afresh for writing: a stale file or symbolic link there is
 * removed (a link is never followed), then the name is created exclusively. */
int zz_outpath_fresh(const char *tmp, int *fd, char *err, size_t errlen);

/* A text file written to "<path>.writing" (claimed with zz_outpath_claim
 * before any work, so that two commands writing the same side file meet at
 * once; opened as zz_outpath_rewrite does) and, when `ok` and every byte
 * reached the disk, renamed by zz_outpath_commit; else the temporary file
 * is removed. */
int zz_outpath_text_begin(const char *path, FILE **fp, char *err, size_t errlen);
int zz_outpath_text_end(FILE *fp, const char *path, int ok, char *err, size_t errlen);

#endif
