/*
 * Scenario files: path rules, reading, and the bundle (see lua_source.h).
 * A path is checked twice: as text (what the scenario asks for, with the
 * message it needs), then as the file it really is once symbolic links
 * are followed, since a scenario shared as an archive can carry a link
 * that leads anywhere on the disk.
 */
#define _DEFAULT_SOURCE /* realpath */
#include "scenario/lua_source.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zhizao/zhizao.h"

#define HEADER "--[[zhizao:file "

void zz_source_dirname(const char *path, char *out, size_t outlen)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(out, outlen, ".");
    else if (slash == path)
        snprintf(out, outlen, "/");
    else
        snprintf(out, outlen, "%.*s", (int)(slash - path), path);
}

/* Removes "." and "x/.." parts. A ".." that cannot be removed stays (the
 * path climbs above the working directory). -1 if too long. */
static int normalise(const char *in, char *out, size_t outlen)
{
    char buf[2 * ZZ_PATH_LEN];
    const char *part[256];
    int n = 0, absolute = in[0] == '/';
    if (strlen(in) >= sizeof buf)
        return -1;
    strcpy(buf, in);
    for (char *s = strtok(buf, "/"); s; s = strtok(NULL, "/")) {
        if (strcmp(s, ".") == 0)
            continue;
        if (strcmp(s, "..") == 0 && n > 0 && strcmp(part[n - 1], "..") != 0) {
            n--;
            continue;
        }
        if (strcmp(s, "..") == 0 && absolute)
            continue; /* "/.." is "/" */
        if (n == 256)
            return -1;
        part[n++] = s;
    }
    size_t at = 0;
    out[0] = '\0';
    if (absolute)
        at += (size_t)snprintf(out, outlen, "/");
    for (int i = 0; i < n; i++) {
        int w = snprintf(out + at, outlen - at, "%s%s", i ? "/" : "", part[i]);
        if (w < 0 || (size_t)w >= outlen - at)
            return -1;
        at += (size_t)w;
    }
    if (at == 0)
        snprintf(out, outlen, ".");
    return 0;
}

/* Is `path` (normalised) inside directory `root` (normalised)? */
static int inside(const char *root, const char *path)
{
    if (strcmp(root, ".") == 0)
        return path[0] != '/' && strcmp(path, "..") != 0 && strncmp(path, "../", 3) != 0;
    if (strcmp(root, "/") == 0)
        return path[0] == '/';
    size_t l = strlen(root);
    return strncmp(path, root, l) == 0 && path[l] == '/';
}

int zz_source_resolve(const char *root, const char *from, const char *rel, const char *suffix,
                      char *out, size_t outlen, char *err, size_t errlen)
{
    char dir[ZZ_PATH_LEN], joined[2 * ZZ_PATH_LEN + 2], nroot[ZZ_PATH_LEN];
    size_t l = strlen(rel);
    if (l == 0) {
        snprintf(err, errlen, "empty path");
        return -1;
    }
    if (rel[0] == '/') {
        snprintf(err, errlen, "'%s' is an absolute path; give a path relative to this file", rel);
        return -1;
    }
    if (suffix && (l < strlen(suffix) || strcmp(rel + l - strlen(suffix), suffix) != 0)) {
        snprintf(err, errlen, "'%s' does not end in %s", rel, suffix);
        return -1;
    }
    zz_source_dirname(from, dir, sizeof dir);
    snprintf(joined, sizeof joined, "%s/%s", dir, rel);
    if (normalise(joined, out, outlen) || normalise(root, nroot, sizeof nroot)) {
        snprintf(err, errlen, "'%s': path too long", rel);
        return -1;
    }
    if (!inside(nroot, out)) {
        snprintf(err, errlen, "'%s' is outside the scenario's directory '%s'; a scenario may "
                 "only use files beside or below it", rel, nroot);
        return -1;
    }
    /* A file that does not exist is reported by whoever reads it. */
    char real[PATH_MAX], realroot[PATH_MAX];
    if (!realpath(out, real))
        return 0;
    if (!realpath(nroot, realroot)) {
        snprintf(err, errlen, "'%s': the scenario's directory cannot be resolved: %s", rel,
                 strerror(errno));
        return -1;
    }
    if (!inside(realroot, real) && strcmp(realroot, "/") != 0) {
        snprintf(err, errlen, "'%s' leads outside the scenario's directory '%s' through a "
                 "symbolic link; a scenario may only use files beside or below it", rel, nroot);
        return -1;
    }
    struct stat st;
    if (stat(real, &st) == 0 && !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "'%s' is not a regular file (%s)", rel,
                 S_ISDIR(st.st_mode) ? "a directory" : S_ISFIFO(st.st_mode) ? "a named pipe"
                                                                           : "a device or socket");
        return -1;
    }
    return 0;
}

int zz_source_read(const char *path, size_t limit, char **text, size_t *len, char *err,
                   size_t errlen)
{
    /* O_NONBLOCK: opening a named pipe must not wait for a writer. Only a
     * regular file is read, and only up to the limit: a pipe or a device
     * could feed us forever. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    if (fd < 0) {
        snprintf(err, errlen, "cannot read '%s': %s", path, strerror(errno));
        return ZZ_IO;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "cannot read '%s': not a regular file (%s)", path,
                 S_ISDIR(st.st_mode) ? "a directory" : S_ISFIFO(st.st_mode) ? "a named pipe"
                                                                           : "a device or socket");
        close(fd);
        return ZZ_IO;
    }
    if ((uintmax_t)st.st_size > limit) {
        close(fd);
        snprintf(err, errlen, "'%s' is larger than %zu MiB; a scenario is a short text", path,
                 limit >> 20);
        return ZZ_SCENARIO;
    }
    size_t n = 0, cap = (size_t)st.st_size + 1;
    char *buf = malloc(cap + 1);
    while (buf && n < cap) {
        if (zz_interrupt_pending()) {
            free(buf);
            close(fd);
            snprintf(err, errlen, "interrupted while reading '%s'", path);
            return ZZ_INTERRUPTED;
        }
        ssize_t got = read(fd, buf + n, cap - n);
        if (got == 0)
            break;
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            snprintf(err, errlen, "cannot read '%s': %s", path, strerror(errno));
            free(buf);
            close(fd);
            return ZZ_IO;
        }
        n += (size_t)got;
    }
    close(fd);
    if (!buf) {
        snprintf(err, errlen, "out of memory reading '%s'", path);
        return ZZ_NOMEM;
    }
    if (n > limit) { /* it grew while we read it */
        free(buf);
        snprintf(err, errlen, "'%s' is larger than %zu MiB; a scenario is a short text", path,
                 limit >> 20);
        return ZZ_SCENARIO;
    }
    const char *nul = memchr(buf, '\0', n);
    if (nul) { /* cfg->source is a C string; so is a scenario */
        int line = 1;
        for (const char *c = buf; c < nul; c++)
            line += *c == '\n';
        free(buf);
        snprintf(err, errlen, "%s:%d: a NUL byte; a scenario is Lua source text", path, line);
        return ZZ_SCENARIO;
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return ZZ_OK;
}

char *zz_source_bundle(const zz_source_file *files, int n)
{
    /* A single file stays plain text, unless it happens to begin like a
     * bundle (then it is wrapped, so reading it back is unambiguous). */
    if (n == 1 && strncmp(files[0].text, HEADER, strlen(HEADER)) != 0) {
        char *s = malloc(files[0].len + 1);
        if (s)
            memcpy(s, files[0].text, files[0].len + 1);
        return s;
    }
    size_t total = 1;
    for (int i = 0; i < n; i++)
        total += strlen(HEADER) + 64 + strlen(files[i].path) + files[i].len + 2;
    char *s = malloc(total), *p = s;
    if (!s)
        return NULL;
    for (int i = 0; i < n; i++) {
        p += sprintf(p, HEADER "%zu %zu:%s]]\n", files[i].len, strlen(files[i].path), files[i].path);
        memcpy(p, files[i].text, files[i].len);
        p += files[i].len;
        *p++ = '\n';
    }
    *p = '\0';
    return s;
}

int zz_source_find(const char *bundle, const char *main_path, const char *path,
                   const char **text, size_t *len)
{
    if (strncmp(bundle, HEADER, strlen(HEADER)) != 0) {
        if (strcmp(path, main_path) != 0)
            return 0;
        *text = bundle;
        *len = strlen(bundle);
        return 1;
    }
    const char *p = bundle, *stop = bundle + strlen(bundle);
    while (strncmp(p, HEADER, strlen(HEADER)) == 0) {
        char *end;
        p += strlen(HEADER);
        size_t tlen = strtoull(p, &end, 10);
        if (*end != ' ')
            return 0;
        size_t plen = strtoull(end + 1, &end, 10);
        if (*end != ':')
            return 0;
        const char *name = end + 1;
        if ((size_t)(stop - name) < plen + 3 || strncmp(name + plen, "]]\n", 3) != 0)
            return 0;
        const char *body = name + plen + 3;
        if ((size_t)(stop - body) < tlen + 1)
            return 0; /* damaged: a length past the end */
        if (plen == strlen(path) && strncmp(name, path, plen) == 0) {
            *text = body;
            *len = tlen;
            return 1;
        }
        p = body + tlen + 1;
    }
    return 0;
}

int zz_source_each(const char *bundle, const char *main_path,
                   void (*fn)(void *ud, const char *path), void *ud)
{
    if (strncmp(bundle, HEADER, strlen(HEADER)) != 0) {
        fn(ud, main_path);
        return 1;
    }
    int n = 0;
    const char *p = bundle, *stop = bundle + strlen(bundle);
    while (strncmp(p, HEADER, strlen(HEADER)) == 0) {
        char *end, path[ZZ_PATH_LEN];
        p += strlen(HEADER);
        size_t tlen = strtoull(p, &end, 10);
        if (*end != ' ')
            break;
        size_t plen = strtoull(end + 1, &end, 10);
        const char *name = end + 1;
        if (*end != ':' || (size_t)(stop - name) < plen + 3 || plen >= sizeof path)
            break;
        const char *body = name + plen + 3;
        if ((size_t)(stop - body) < tlen + 1)
            break;
        memcpy(path, name, plen);
        path[plen] = '\0';
        fn(ud, path);
        n++;
        p = body + tlen + 1;
    }
    return n;
}
