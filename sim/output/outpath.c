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

/* `path`, when something is there, is not one of the inputs: the same file
 * under another name (a hard or symbolic link, "./x") is found by device
 * and inode, not by comparing text. `label` names it in the refusal. */
static int not_an_input(const char *path, const char *label, const char *const *inputs,
                        int ninputs, char *err, size_t errlen)
{
    struct stat out_st, in_st;
    if (stat(path, &out_st) != 0)
        return ZZ_OK;
    for (int i = 0; i < ninputs; i++) {
        if (!inputs[i] || !inputs[i][0] || stat(inputs[i], &in_st) != 0)
            continue;
        if (in_st.st_dev == out_st.st_dev && in_st.st_ino == out_st.st_ino) {
            char in_shown[600], shown[600];
            zz_escape(inputs[i], strlen(inputs[i]), in_shown, sizeof in_shown);
            zz_escape(path, strlen(path), shown, sizeof shown);
            snprintf(err, errlen, "%s '%s' is '%s', one of the run's inputs; writing there would "
                     "destroy it; choose another -o", label, shown, in_shown);
            return ZZ_USAGE;
        }
    }
    return ZZ_OK;
}

static int lock_byte(int fd, int cmd, short type, off_t at);
static void holder(int fd, char *out, size_t outlen);

/* A regular file at `path` is the .partial file another run holds locked
 * (zz_outpath_claim): renaming over it would take that run's file away. */
static int in_use(const char *path, const char *label, char *err, size_t errlen)
{
    int d = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (d < 0)
        return ZZ_OK;
    struct stat st;
    struct flock l = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1};
    int busy = fstat(d, &st) == 0 && S_ISREG(st.st_mode) && fcntl(d, F_OFD_GETLK, &l) == 0 &&
               l.l_type != F_UNLCK;
    char who[700], shown[600];
    if (busy)
        holder(d, who, sizeof who);
    close(d);
    if (!busy)
        return ZZ_OK;
    zz_escape(path, strlen(path), shown, sizeof shown);
    snprintf(err, errlen, "%s '%s' is being written by %s; choose another -o", label, shown, who);
    return ZZ_IO;
}

/* One file a command writes: a regular file or nothing, none of the
 * inputs, and no running job's .partial. */
static int check_name(const char *path, const char *label, const char *const *inputs, int ninputs,
                      char *err, size_t errlen)
{
    int rc = regular_or_absent(path, label, err, errlen);
    if (!rc)
        rc = not_an_input(path, label, inputs, ninputs, err, errlen);
    if (!rc)
        rc = in_use(path, label, err, errlen);
    return rc;
}

/* Another run's lock on our own .partial or .writing is met by
 * zz_outpath_claim, which names that run; here only what the file is (over
 * MPI the other ranks check while rank 0 holds the claim). */
static int check_partial(const char *path, const char *const *inputs, int ninputs, char *err,
                         size_t errlen)
{
    const char *label = "the output's temporary file";
    int rc = regular_or_absent(path, label, err, errlen);
    return rc ? rc : not_an_input(path, label, inputs, ninputs, err, errlen);
}

static int writable_dir(const char *path, char *err, size_t errlen)
{
    char dir[PATH_MAX], shown[600];
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

static int check_named(const char *path, int with_partial, const char *const *inputs, int ninputs,
                       char *err, size_t errlen)
{
    char shown[600];
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
    char partial[PATH_MAX + 16], writing[PATH_MAX + 16];
    snprintf(partial, sizeof partial, "%s.partial", path);
    snprintf(writing, sizeof writing, "%s.writing", path);
    int rc = check_name(path, "output", inputs, ninputs, err, errlen);
    if (!rc && with_partial)
        rc = check_partial(partial, inputs, ninputs, err, errlen);
    if (!rc)
        rc = check_partial(writing, inputs, ninputs, err, errlen);
    return rc ? rc : writable_dir(path, err, errlen);
}

int zz_outpath_check(const char *path, const char *const *inputs, int ninputs, char *err,
                     size_t errlen)
{
    return check_named(path, 1, inputs, ninputs, err, errlen);
}

int zz_outpath_check_side(const char *path, const char *const *inputs, int ninputs, char *err,
                          size_t errlen)
{
    return check_named(path, 0, inputs, ninputs, err, errlen);
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
    if (!rc)
        rc = in_use(path, "output", err, errlen);
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

int zz_outpath_fresh(const char *tmp, int *fd, char *err, size_t errlen)
{
    char shown[600];
    zz_escape(tmp, strlen(tmp), shown, sizeof shown);
    struct stat st;
    /* a stale file of ours, or a link planted there: the name goes, never
     * what a link points to */
    if (lstat(tmp, &st) == 0 && (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)))
        unlink(tmp);
    *fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (*fd < 0) {
        snprintf(err, errlen, "cannot create '%s': %s", shown, strerror(errno));
        return ZZ_IO;
    }
    return ZZ_OK;
}

int zz_outpath_text_begin(const char *path, FILE **fp, char *err, size_t errlen)
{
    /* the temporary name the command claimed (locked) before any work:
     * opened, never through a link, and emptied; not replaced, so that the
     * lock stays on the file that is renamed */
    char tmp[PATH_MAX + 16];
    snprintf(tmp, sizeof tmp, "%s.writing", path);
    return zz_outpath_rewrite(tmp, fp, err, errlen);
}

int zz_outpath_text_end(FILE *fp, const char *path, int ok, char *err, size_t errlen)
{
    char tmp[PATH_MAX + 16], shown[600];
    snprintf(tmp, sizeof tmp, "%s.writing", path);
    zz_escape(tmp, strlen(tmp), shown, sizeof shown);
    int e = 0;
    if (fflush(fp) != 0 || ferror(fp) || fsync(fileno(fp)) != 0)
        e = errno ? errno : EIO;
    if (fclose(fp) != 0 && !e)
        e = errno;
    int rc = ok ? ZZ_OK : ZZ_IO;
    if (ok && e) {
        snprintf(err, errlen, "cannot write '%s': %s", shown, strerror(e));
        rc = ZZ_IO;
    }
    if (!rc)
        rc = zz_outpath_commit(tmp, path, err, errlen);
    if (rc)
        unlink(tmp);
    return rc;
}

int zz_outpath_rewrite(const char *partial, FILE **fp, char *err, size_t errlen)
{
    char shown[600];
    zz_escape(partial, strlen(partial), shown, sizeof shown);
    *fp = NULL;
    int d = open(partial, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0644);
    struct stat st;
    if (d < 0 || fstat(d, &st) != 0 || !S_ISREG(st.st_mode) || ftruncate(d, 0) != 0 ||
        !(*fp = fdopen(d, "w"))) {
        snprintf(err, errlen, "cannot write '%s': %s", shown,
                 d >= 0 && !S_ISREG(st.st_mode) ? "not a regular file" : strerror(errno));
        if (d >= 0)
            close(d);
        return ZZ_IO;
    }
    return ZZ_OK;
}
