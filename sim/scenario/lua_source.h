/*
 * Where a scenario's text comes from: resolving include (and data file)
 * paths, reading files, and the bundle that keeps every file a scenario
 * read in cfg->source.
 *
 * Paths in a scenario are relative to the file that names them and may not
 * leave the directory of the top-level scenario: a scenario from a stranger
 * cannot pull in (or leak into the output file) anything else on the disk.
 *
 * The bundle: a scenario without includes is stored as its own text. With
 * includes, cfg->source holds every file in the order first read, each
 * after a header line that is a Lua comment:
 *     --[[zhizao:file <bytes> <path bytes>:<path>]]\n<text>\n
 * so the output file shows exactly what ran, and each replication re-runs
 * the same text without touching the disk again.
 */
#ifndef ZZ_LUA_SOURCE_H
#define ZZ_LUA_SOURCE_H

#include <stddef.h>

#define ZZ_PATH_LEN 1024
#define ZZ_MAX_SOURCE_FILES 64

typedef struct zz_source_file {
    char path[ZZ_PATH_LEN];
    char *text;
    size_t len;
} zz_source_file;

/* Directory part of path ("." when it has none). */
void zz_source_dirname(const char *path, char *out, size_t outlen);
/* `rel`, named in file `from`, as a path (normalised, relative to the working
 * directory as `from` is). Refuses absolute paths, paths that leave `root`
 * (a directory) and, when suffix is not NULL, names not ending in suffix.
 * 0 on success; otherwise -1 with a message in err. */
int zz_source_resolve(const char *root, const char *from, const char *rel, const char *suffix,
                      char *out, size_t outlen, char *err, size_t errlen);
/* Reads a whole file (at most `limit` bytes). ZZ_OK, ZZ_IO, ZZ_SCENARIO (too
 * large) or ZZ_NOMEM; *text is NUL-terminated, caller frees. */
int zz_source_read(const char *path, size_t limit, char **text, size_t *len, char *err,
                   size_t errlen);

/* The bundle of files[0..n) (files[0] = the scenario). Caller frees. */
char *zz_source_bundle(const zz_source_file *files, int n);
/* Text of `path` in a bundle; a bundle that is a single plain text answers
 * for `main_path`. 1 if found. */
int zz_source_find(const char *bundle, const char *main_path, const char *path,
                   const char **text, size_t *len);

/* Calls fn with every file path a bundle holds (main_path for a plain
 * text); returns their number. */
int zz_source_each(const char *bundle, const char *main_path,
                   void (*fn)(void *ud, const char *path), void *ud);

#endif
