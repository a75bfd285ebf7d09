/* Atomic output folders (SPEC §6). A month is written into ".<name>.tmp-XXXXXX" beside the
 * target and swapped into place whole, so a reader sees the old month or the new one, never
 * half of either. The temporary folder is held under an flock(2) while the run lives, so a
 * later run can tell a stale folder (its writer was killed: the lock is gone) from one that
 * another run is still writing. */
#define _GNU_SOURCE /* renameat2(RENAME_EXCHANGE): swap two folders in one step on Linux */
#include "outdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive.h"
#include "msg.h"
#include "xalloc.h"

/* The lock on the temporary folder of this process's run (one render per process). */
static int held_lock = -1;

static void release_lock(void)
{
    if (held_lock >= 0)
        close(held_lock); /* closing drops the flock */
    held_lock = -1;
}

/* Splits `target` (trailing slashes ignored) into a new parent string and a new base name.
 * Returns false when the target names no folder ("", "/", ".", ".."). */
static bool split_target(const char *target, char **parent, char **base)
{
    size_t n = strlen(target);
    while (n > 1 && target[n - 1] == '/')
        n--;
    size_t b = n;
    while (b > 0 && target[b - 1] != '/')
        b--;
    if (b == n)
        return false;
    *base = xstrndup(target + b, n - b);
    if (strcmp(*base, ".") == 0 || strcmp(*base, "..") == 0) {
        free(*base);
        *base = NULL;
        return false;
    }
    size_t p = b;
    while (p > 1 && target[p - 1] == '/')
        p--;
    *parent = p == 0 ? xstrdup(".") : xstrndup(target, p);
    return true;
}

/* mkdir -p: creates `path` and every missing parent. Returns 0 or -1 with errno set. */
static int make_dirs(const char *path)
{
    char *p = xstrdup(path);
    int rc = 0;
    for (char *s = p + 1;; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char c = *s;
        *s = '\0';
        if (mkdir(p, 0777) != 0) {
            struct stat st;
            if (errno != EEXIST) {
                rc = -1;
            } else if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode)) {
                errno = ENOTDIR;
                rc = -1;
            }
        }
        *s = c;
        if (rc != 0 || c == '\0')
            break;
    }
    free(p);
    return rc;
}

/* Removes `path` and everything under it, without following symbolic links. Folders that were
 * made read-only are made writable first. Returns 0, or -1 when something could not go. */
static int remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return errno == ENOENT ? 0 : -1;
    if (!S_ISDIR(st.st_mode))
        return unlink(path);
    if ((st.st_mode & S_IWUSR) == 0)
        chmod(path, st.st_mode | S_IRWXU);
    int rc = 0;
    DIR *d = opendir(path);
    if (!d)
        return -1;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *child = xasprintf("%s/%s", path, e->d_name);
        if (remove_tree(child) != 0)
            rc = -1;
        free(child);
    }
    closedir(d);
    if (rmdir(path) != 0)
        rc = -1;
    return rc;
}

/* fsyncs every file and folder under `path` (the folder itself last), so the renamed month is
 * on disk before it becomes visible. Returns 0 or -1 with errno set. */
static int sync_tree(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = 0;
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return -1;
    }
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *child = xasprintf("%s/%s", path, e->d_name);
        struct stat st;
        if (lstat(child, &st) != 0) {
            rc = -1;
        } else if (S_ISDIR(st.st_mode)) {
            rc = sync_tree(child);
        } else if (S_ISREG(st.st_mode)) {
            int f = open(child, O_RDONLY | O_CLOEXEC);
            if (f < 0 || fsync(f) != 0)
                rc = -1;
            if (f >= 0)
                close(f);
        }
        free(child);
    }
    if (rc == 0 && fsync(dirfd(d)) != 0 && errno != EINVAL)
        rc = -1;
    closedir(d);
    return rc;
}

static void sync_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

/* True when `name` is ".<base><kind>" followed by exactly six more characters (mkdtemp's). */
static bool is_ours(const char *name, const char *base, const char *kind)
{
    size_t nb = strlen(base), nk = strlen(kind);
    return name[0] == '.' && strncmp(name + 1, base, nb) == 0 &&
           strncmp(name + 1 + nb, kind, nk) == 0 && strlen(name + 1 + nb + nk) == 6;
}

/* Tidies what killed runs left beside the target: temporary folders nobody holds a lock on are
 * removed; a month set aside by an interrupted replace (only possible where the atomic swap is
 * unsupported) is put back when the target is missing, else removed. Best effort: a failure
 * here only leaves a hidden folder behind. */
static void clean_stale(const char *parent, const char *base, const char *target)
{
    DIR *d = opendir(parent);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        bool tmp = is_ours(e->d_name, base, ".tmp-");
        bool old = is_ours(e->d_name, base, ".old-");
        if (!tmp && !old)
            continue;
        char *path = xasprintf("%s/%s", parent, e->d_name);
        struct stat st;
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            if (tmp) {
                int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0) {
                    msg_warn("removing %s, left by an interrupted run", path);
                    remove_tree(path);
                }
                if (fd >= 0)
                    close(fd);
            } else if (lstat(target, &st) != 0 && errno == ENOENT) {
                msg_warn("restoring %s from %s, set aside by an interrupted run", target, path);
                rename(path, target);
            } else {
                remove_tree(path);
            }
        }
        free(path);
    }
    closedir(d);
}

/* Checks the target (refusing a signed month with CB_EUSAGE and the "-r2" hint), creates its
 * parents, tidies leftovers of killed runs, and makes a locked ".<name>.tmp-XXXXXX" folder with
 * teams/ beside it. On CB_OK *tmp is a new string the caller frees; on error *tmp is NULL and
 * nothing was created. */
enum cb_status outdir_begin(const char *target, char **tmp, struct cb_error *err)
{
    enum cb_status st = CB_OK;
    char *parent = NULL, *base = NULL, *path = NULL, *teams = NULL;
    *tmp = NULL;
    if (!split_target(target, &parent, &base)) {
        st = cb_error_set(err, CB_EUSAGE, target, 0, NULL, "not a usable output folder name");
        goto cleanup;
    }
    if (archive_is_signed(target)) {
        st = cb_error_set(err, CB_EUSAGE, target, 0, NULL,
                          "this month is signed (SIGNOFF.json) and is never overwritten; to issue "
                          "a corrected revision, render again with --supersedes %s (writes "
                          "%s-r2, invoice numbers ending in -R2)",
                          target, target);
        goto cleanup;
    }
    if (make_dirs(parent) != 0) {
        st =
            cb_error_set(err, CB_EIO, parent, 0, NULL, "cannot create folder: %s", strerror(errno));
        goto cleanup;
    }
    struct stat sb;
    if (lstat(target, &sb) == 0 && !S_ISDIR(sb.st_mode)) {
        st = cb_error_set(err, CB_EUSAGE, target, 0, NULL,
                          "exists and is not a folder; refusing to replace it");
        goto cleanup;
    }
    clean_stale(parent, base, target);
    path = xasprintf("%s/.%s.tmp-XXXXXX", parent, base);
    if (!mkdtemp(path)) {
        st = cb_error_set(err, CB_EIO, parent, 0, NULL, "cannot create a temporary folder: %s",
                          strerror(errno));
        goto cleanup;
    }
    /* mkdtemp makes 0700; a month is meant to be read by others like any folder we create. */
    mode_t mask = umask(0);
    umask(mask);
    chmod(path, 0777 & ~mask);
    release_lock();
    held_lock = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (held_lock >= 0 && flock(held_lock, LOCK_EX | LOCK_NB) != 0)
        release_lock();
    teams = xasprintf("%s/teams", path);
    if (mkdir(teams, 0777) != 0) {
        st = cb_error_set(err, CB_EIO, teams, 0, NULL, "cannot create folder: %s", strerror(errno));
        remove_tree(path);
        release_lock();
        goto cleanup;
    }
    *tmp = path;
    path = NULL;
cleanup:
    free(teams);
    free(path);
    free(base);
    free(parent);
    return st;
}

/* fsyncs `tmp` and puts it in place of `target` in one step (renameat2 RENAME_EXCHANGE, or a
 * plain rename when there is no old month), then removes the old month. Refuses (CB_EUSAGE)
 * when the target was signed meanwhile; CB_EIO when the disk fails. On error the target is
 * unchanged and `tmp` is still the caller's to abort. Borrows both strings. */
enum cb_status outdir_commit(const char *tmp, const char *target, struct cb_error *err)
{
    enum cb_status st = CB_OK;
    char *parent = NULL, *base = NULL, *old = NULL;
    if (!split_target(target, &parent, &base)) {
        st = cb_error_set(err, CB_EUSAGE, target, 0, NULL, "not a usable output folder name");
        goto cleanup;
    }
    /* Checked again: someone may have signed the old month while this run was rendering. */
    if (archive_is_signed(target)) {
        st = cb_error_set(err, CB_EUSAGE, target, 0, NULL,
                          "this month was signed while the run was writing; nothing replaced");
        goto cleanup;
    }
    if (sync_tree(tmp) != 0) {
        st = cb_error_set(err, CB_EIO, tmp, 0, NULL, "cannot write to disk: %s", strerror(errno));
        goto cleanup;
    }
    if (rename(tmp, target) == 0) { /* no old month: the plain rename is atomic */
        sync_dir(parent);
        goto cleanup;
    }
    if (errno != EEXIST && errno != ENOTEMPTY) {
        st = cb_error_set(err, CB_EIO, target, 0, NULL, "cannot move %s into place: %s", tmp,
                          strerror(errno));
        goto cleanup;
    }
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, target, RENAME_EXCHANGE) == 0) {
        /* tmp now names the old month: remove it (a crash here leaves a stale tmp folder,
         * which the next run removes). */
        sync_dir(parent);
        if (remove_tree(tmp) != 0)
            msg_warn("%s: could not remove the replaced month: %s", tmp, strerror(errno));
        goto cleanup;
    }
    if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP) {
        st = cb_error_set(err, CB_EIO, target, 0, NULL, "cannot move %s into place: %s", tmp,
                          strerror(errno));
        goto cleanup;
    }
    /* No atomic swap on this file system: set the old month aside, move the new one in, and
     * remove the old one. A crash between the two renames is repaired by the next run. */
    old = xasprintf("%s/.%s.old-XXXXXX", parent, base);
    if (!mkdtemp(old) || rmdir(old) != 0 || rename(target, old) != 0) {
        st = cb_error_set(err, CB_EIO, target, 0, NULL, "cannot set the old month aside: %s",
                          strerror(errno));
        goto cleanup;
    }
    if (rename(tmp, target) != 0) {
        st = cb_error_set(err, CB_EIO, target, 0, NULL, "cannot move %s into place: %s", tmp,
                          strerror(errno));
        rename(old, target);
        goto cleanup;
    }
    sync_dir(parent);
    if (remove_tree(old) != 0)
        msg_warn("%s: could not remove the replaced month: %s", old, strerror(errno));
cleanup:
    if (st == CB_OK)
        release_lock();
    free(old);
    free(base);
    free(parent);
    return st;
}

/* Removes `tmp` and everything in it and drops the run's lock. Accepts NULL; cannot fail
 * (what cannot be removed is left for the next run to clean up). */
void outdir_abort(const char *tmp)
{
    if (tmp)
        remove_tree(tmp);
    release_lock();
}
