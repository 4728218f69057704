#define _GNU_SOURCE /* F_OFD_SETLK, O_CLOEXEC, O_NOFOLLOW */
/*
 * Output paths and the .partial lifecycle (see outpath.h).
 *
 * The lock is a record lock on our own descriptor of the .partial file
 * (see lock_byte below). Not flock(): HDF5 readers take a shared flock to
 * open a file, and a reader must still be able to open the .partial file
 * of a run in progress; on Linux record locks and flock do not interact.
 */
#include "output/outpath.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/escape.h"
#include "zhizao/zhizao.h"

static void dir_of(const char *path, char *out, size_t outlen)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(out, outlen, ".");
    else if (slash == path)
        snprintf(out, outlen, "/");
    else
        snprintf(out, outlen, "%.*s", (int)(slash - path), path);
}

static const char *kind(mode_t m)
{
    return S_ISDIR(m) ? "a directory" : S_ISCHR(m) ? "a character device" :
           S_ISBLK(m) ? "a block device" : S_ISFIFO(m) ? "a named pipe" :
           S_ISSOCK(m) ? "a socket" : S_ISLNK(m) ? "a symbolic link" : "not a regular file";
}

/* The path itself, or what a symbolic link at it points to, is a regular
 * file (or nothing is there). */
static int regular_or_absent(const char *path, const char *what, char *err, size_t errlen)
{
    struct stat st;
    char shown[600];
    zz_escape(path, strlen(path), shown, sizeof shown);
    if (lstat(path, &st) != 0) {
        if (errno == ENOENT)
            return ZZ_OK;
        snprintf(err, errlen, "%s '%s': %s", what, shown, strerror(errno));
        return ZZ_IO;
    }
    if (S_ISLNK(st.st_mode) && stat(path, &st) != 0) {
        snprintf(err, errlen, "%s '%s' is a symbolic link to nothing usable (%s); remove it or "
                 "choose another name", what, shown, strerror(errno));
        return ZZ_IO;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s '%s' is %s; give a file name (an existing regular file is "
                 "replaced when the run completes)", what, shown, kind(st.st_mode));
        return ZZ_USAGE;
    }
    return ZZ_OK;
}

int zz_outpath_check(const char *path, const char *const *inputs, int ninputs, char *err,
                     size_t errlen)
{
    char shown[600], partial[PATH_MAX + 16], dir[PATH_MAX];
    if (!path || !path[0]) {
        snprintf(err, errlen, "the output file name is empty; give one with -o FILE.h5");
        return ZZ_USAGE;
    }
    zz_escape(path, strlen(path), shown, sizeof shown);
    size_t n = strlen(path);
    if (n >= PATH_MAX || path[n - 1] == '/') {
        snprintf(err, errlen, "output '%s' is %s; give a file name", shown,
                 n >= PATH_MAX ? "too long" : "a directory name");
        return ZZ_USAGE;
    }
    snprintf(partial, sizeof partial, "%s.partial", path);
    int rc = regular_or_absent(path, "output", err, errlen);
    if (!rc)
        rc = regular_or_absent(partial, "the output's temporary file", err, errlen);
    if (rc)
        return rc;
    /* The same file under another name (a hard or symbolic link, "./x")
     * is found by device and inode, not by comparing text. */
    struct stat out_st, part_st, in_st;
    int have_out = stat(path, &out_st) == 0, have_part = stat(partial, &part_st) == 0;
    for (int i = 0; i < ninputs; i++) {
        if (!inputs[i] || !inputs[i][0] || stat(inputs[i], &in_st) != 0)
            continue;
        int same_out = have_out && in_st.st_dev == out_st.st_dev && in_st.st_ino == out_st.st_ino;
        int same_part =
            have_part && in_st.st_dev == part_st.st_dev && in_st.st_ino == part_st.st_ino;
        if (same_out || same_part) {
            char in_shown[600];
            zz_escape(inputs[i], strlen(inputs[i]), in_shown, sizeof in_shown);
            snprintf(err, errlen, "output '%s'%s is '%s', one of the run's inputs; writing the "
                     "result there would destroy it; choose another -o", shown,
                     same_out ? "" : " (its .partial file)", in_shown);
            return ZZ_USAGE;
        }
    }
    dir_of(path, dir, sizeof dir);
    struct stat dst;
    if (stat(dir, &dst) != 0 || !S_ISDIR(dst.st_mode)) {
        zz_escape(dir, strlen(dir), shown, sizeof shown);
        snprintf(err, errlen, "output directory '%s' %s", shown,
                 errno == ENOENT || !S_ISDIR(dst.st_mode) ? "does not exist" : strerror(errno));
        return ZZ_IO;
    }
    if (access(dir, W_OK | X_OK) != 0) {
        zz_escape(dir, strlen(dir), shown, sizeof shown);
        snprintf(err, errlen, "output directory '%s' is not writable: %s", shown,
                 strerror(errno));
        return ZZ_IO;
    }
    return ZZ_OK;
}

/* Two record locks on bytes past the header (a lock may lie beyond the
 * end of a file): byte 0, an open-file-description lock, is the exclusion
 * itself and lives as long as our descriptor; byte 1, a classic POSIX
 * lock, only names us (F_GETLK reports a POSIX holder's pid, never an OFD
 * holder's) and is dropped whenever HDF5 closes a descriptor of the file,
 * so the writer takes it again after each such close. */
#define EXCL_BYTE 0
#define NAME_BYTE 1

static int lock_byte(int fd, int cmd, short type, off_t at)
{
    struct flock l = {.l_type = type, .l_whence = SEEK_SET, .l_start = at, .l_len = 1};
    return fcntl(fd, cmd, &l);
}

/* "process 1234 (zhizao run a.lua -o x.h5)", or "another process". */
static void holder(int fd, char *out, size_t outlen)
{
    struct flock l = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = NAME_BYTE, .l_len = 1};
    snprintf(out, outlen, "another process");
    if (fcntl(fd, F_GETLK, &l) != 0 || l.l_type == F_UNLCK || l.l_pid <= 0)
        return;
    char cmd[512] = "", path[64], shown[300];
    snprintf(path, sizeof path, "/proc/%ld/cmdline", (long)l.l_pid);
    FILE *c = fopen(path, "rb");
    size_t n = c ? fread(cmd, 1, sizeof cmd - 1, c) : 0;
    if (c)
        fclose(c);
    for (size_t i = 0; i + 1 < n; i++)
        if (cmd[i] == '\0')
            cmd[i] = ' ';
    cmd[n] = '\0';
    zz_escape(cmd, n, shown, sizeof shown);
    snprintf(out, outlen, shown[0] ? "process %ld (%s)" : "process %ld", (long)l.l_pid, shown);
}

void zz_outpath_advertise(int fd)
{
    if (fd >= 0)
        lock_byte(fd, F_SETLK, F_WRLCK, NAME_BYTE);
}

int zz_outpath_claim(const char *partial, int *fd, char *err, size_t errlen)
{
    char shown[600];
    zz_escape(partial, strlen(partial), shown, sizeof shown);
    *fd = -1;
    /* O_NOFOLLOW: a symbolic link planted at the temporary name is not
     * followed; O_NONBLOCK: a named pipe planted there does not hang us. */
    int d = open(partial, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0644);
    if (d < 0) {
        snprintf(err, errlen, "cannot create '%s': %s", shown, strerror(errno));
        return ZZ_IO;
    }
    struct stat st;
    if (fstat(d, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "'%s' exists and is not a regular file", shown);
        close(d);
        return ZZ_IO;
    }
    if (lock_byte(d, F_OFD_SETLK, F_WRLCK, EXCL_BYTE) != 0) {
        char who[700];
        int e = errno;
        if (e == EAGAIN || e == EACCES)
            holder(d, who, sizeof who);
        snprintf(err, errlen, e == EAGAIN || e == EACCES
                                  ? "'%s' is being written by %s; two runs cannot write the same "
                                    "output: wait for it, stop it, or choose another -o"
                                  : "cannot lock '%s': %s",
                 shown, e == EAGAIN || e == EACCES ? who : strerror(e));
        close(d);
        return ZZ_IO;
    }
    zz_outpath_advertise(d);
    *fd = d;
    return ZZ_OK;
}

int zz_outpath_commit(const char *partial, const char *path, char *err, size_t errlen)
{
    int rc = regular_or_absent(path, "output", err, errlen);
    if (rc)
        return rc == ZZ_USAGE ? ZZ_IO : rc;
    if (rename(partial, path) != 0) {
        char a[600], b[600];
        snprintf(err, errlen, "cannot rename '%s' to '%s': %s",
                 zz_escape(partial, strlen(partial), a, sizeof a),
                 zz_escape(path, strlen(path), b, sizeof b), strerror(errno));
        return ZZ_IO;
    }
    return ZZ_OK;
}

void zz_outpath_release(int fd)
{
    if (fd >= 0)
        close(fd); /* closing the last descriptor of the description unlocks it */
}

int zz_outpath_resume(const char *partial, const char *header, const char *what, FILE **in,
                      char *err, size_t errlen)
{
    char line[128];
    *in = fopen(partial, "r");
    if (!*in) {
        snprintf(err, errlen, "--resume: cannot read %s", partial);
        return ZZ_IO;
    }
    if (!fgets(line, sizeof line, *in) || strcmp(line, header)) {
        fclose(*in);
        *in = NULL;
        snprintf(err, errlen, "--resume: %s was written for another %s", partial, what);
        return ZZ_USAGE;
    }
    return ZZ_OK;
}
