#define _GNU_SOURCE /* RTLD_NEXT */
/*
 * A fault-injection shim for the tests (tests/python/test_fault_injection.py):
 * preloaded (LD_PRELOAD) into zhizao, it makes the n-th call of one kind
 * fail as a full or failing disk would.
 *
 *   ZZ_FAULT=write:N    the N-th write()/pwrite() to a regular file fails
 *   ZZ_FAULT=fsync:N    the N-th fsync()/fdatasync() fails
 *   ZZ_FAULT=rename:N   the N-th rename() fails
 *   ZZ_FAULT=bytes:N    the disk fills after N bytes written to regular
 *                       files: the write that crosses N is cut short, every
 *                       later one fails with ENOSPC
 *   ZZ_FAULT_ERRNO=28   the errno it fails with (default ENOSPC; EIO for fsync
 *                       and rename when unset)
 *   ZZ_FAULT_COUNT=F    at exit, append "write W fsync S rename R bytes B" (the
 *                       calls seen, the bytes written) to file F: how many
 *                       faults a loop can try
 *
 * Only calls from the program itself are seen: glibc's stdio writes through
 * its own internal write, so text files written with fprintf fail only at
 * their fsync or rename. Writes to pipes and terminals are not counted (the
 * error message must still get out).
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { K_WRITE, K_FSYNC, K_RENAME, K_N, K_BYTES = K_N };
static const char *const kind_name[K_N + 1] = {"write", "fsync", "rename", "bytes"};
static atomic_long seen[K_N], written;
static int fault_kind = -1, fault_errno;
static long fault_at;

__attribute__((constructor)) static void setup(void)
{
    const char *spec = getenv("ZZ_FAULT"), *e = getenv("ZZ_FAULT_ERRNO");
    for (int k = 0; spec && k <= K_N; k++) {
        size_t n = strlen(kind_name[k]);
        if (!strncmp(spec, kind_name[k], n) && spec[n] == ':') {
            fault_kind = k;
            fault_at = atol(spec + n + 1);
        }
    }
    fault_errno = e ? atoi(e) : fault_kind == K_WRITE || fault_kind == K_BYTES ? ENOSPC : EIO;
    /* children (mpirun, the report's python) are not the program under test */
    unsetenv("LD_PRELOAD");
}

__attribute__((destructor)) static void report(void)
{
    const char *path = getenv("ZZ_FAULT_COUNT");
    FILE *f = path ? fopen(path, "a") : NULL;
    if (f) {
        fprintf(f, "write %ld fsync %ld rename %ld bytes %ld\n", (long)seen[K_WRITE],
                (long)seen[K_FSYNC], (long)seen[K_RENAME], (long)written);
        fclose(f);
    }
}

/* 1 when this call is the one to fail */
static int hit(int kind)
{
    long n = atomic_fetch_add(&seen[kind], 1) + 1;
    if (kind == fault_kind && n == fault_at) {
        errno = fault_errno;
        return 1;
    }
    return 0;
}

static int regular(int fd)
{
    struct stat st;
    return fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

/* How much of an n-byte write the disk takes: n, fewer, or -1 (full). */
static ssize_t room(size_t n)
{
    long before = atomic_fetch_add(&written, (long)n);
    if (fault_kind != K_BYTES)
        return (ssize_t)n;
    if (before >= fault_at) {
        errno = fault_errno;
        return -1;
    }
    return before + (long)n > fault_at ? (ssize_t)(fault_at - before) : (ssize_t)n;
}

#define REAL(ret, name, ...)                                                                       \
    static ret (*real)(__VA_ARGS__);                                                               \
    if (!real)                                                                                     \
        *(void **)&real = dlsym(RTLD_NEXT, name)

ssize_t write(int fd, const void *buf, size_t n)
{
    REAL(ssize_t, "write", int, const void *, size_t);
    ssize_t k = (ssize_t)n;
    if (regular(fd) && (hit(K_WRITE) || (k = room(n)) < 0))
        return -1;
    return real(fd, buf, (size_t)k);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t at)
{
    REAL(ssize_t, "pwrite", int, const void *, size_t, off_t);
    ssize_t k = (ssize_t)n;
    if (regular(fd) && (hit(K_WRITE) || (k = room(n)) < 0))
        return -1;
    return real(fd, buf, (size_t)k, at);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t at)
{
    REAL(ssize_t, "pwrite64", int, const void *, size_t, off_t);
    ssize_t k = (ssize_t)n;
    if (regular(fd) && (hit(K_WRITE) || (k = room(n)) < 0))
        return -1;
    return real(fd, buf, (size_t)k, at);
}

int fsync(int fd)
{
    REAL(int, "fsync", int);
    if (hit(K_FSYNC))
        return -1;
    return real(fd);
}

int fdatasync(int fd)
{
    REAL(int, "fdatasync", int);
    if (hit(K_FSYNC))
        return -1;
    return real(fd);
}

int rename(const char *from, const char *to)
{
    REAL(int, "rename", const char *, const char *);
    if (hit(K_RENAME))
        return -1;
    return real(from, to);
}
