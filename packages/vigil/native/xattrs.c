/*
 * xattrFiles(paths, flags, bases, cursor, arena, records, stats)
 *   every extended attribute of each path that this process may read, in all namespaces
 *   (user., trusted., security., system.: POSIX ACLs are system.posix_acl_*, file
 *   capabilities security.capability, SELinux labels security.selinux), never following the
 *   last component (a symlink's own attributes). READ: slot 1 offset in the arena, slot 2
 *   length of the attributes written there as `name NUL, value length (4 bytes, big-endian),
 *   value`, one after another in the order the file system lists them. A path with none
 *   costs one llistxattr call; a file system without extended attributes (ENOTSUP) lists
 *   none. Stops when the next path's attributes do not fit what is left of the arena.
 *   Stats are not written.
 *
 * Linux has no llistxattrat before 6.13, so a path is named through its parent's descriptor,
 * which beneath.c resolved with no symlink below the root: /proc/self/fd/N/name. The kernel
 * follows the magic link to that directory, and the l* calls do not follow `name`.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

#include "vigil.h"

/* The kernel lists at most this many bytes of names (XATTR_LIST_MAX). */
#define NAMES_MAX 65536
/* read_xattrs: what is left of the arena cannot hold this path's attributes. */
#define NO_ROOM (-1L - 4096)

/* Reads the attributes of `at` into out[0..space]; the bytes written, NO_ROOM, or -errno. */
static long read_xattrs(const char *at, int follow, char *names, uint8_t *out, size_t space) {
  ssize_t listed = follow ? listxattr(at, names, NAMES_MAX) : llistxattr(at, names, NAMES_MAX);
  if (listed < 0) return errno == ENOTSUP ? 0 : -errno;
  size_t used = 0;
  for (size_t next = 0; next < (size_t)listed;) {
    const char *name = names + next;
    size_t name_length = strnlen(name, (size_t)listed - next);
    next += name_length + 1;
    size_t head = name_length + 1 + 4;
    if (used + head > space) return NO_ROOM;
    uint8_t *value = out + used + head;
    ssize_t n = follow ? getxattr(at, name, value, space - used - head) : lgetxattr(at, name, value, space - used - head);
    if (n < 0 && errno == ENODATA) continue; /* removed since it was listed: it is not there */
    if (n < 0) return errno == ERANGE ? NO_ROOM : -errno;
    memcpy(out + used, name, name_length);
    out[used + name_length] = 0;
    uint8_t *length = out + used + name_length + 1;
    length[0] = (uint8_t)(n >> 24), length[1] = (uint8_t)(n >> 16), length[2] = (uint8_t)(n >> 8), length[3] = (uint8_t)n;
    used += head + (size_t)n;
  }
  return used;
}

/* xattrFiles: the attributes fill the arena from the front. */
typedef struct {
  char *names; /* NAMES_MAX bytes: what llistxattr lists */
  size_t used; /* bytes of the arena taken */
} xattr_job;

static entry_step xattrs_of_one(void *context, const batch *b, resolver *r, const batch_entry *e) {
  xattr_job *job = context;
  uint8_t *arena = b->arena.data;
  size_t space = b->arena.length - job->used;
  int follow = e->flags & FLAG_FOLLOW;
  const char *name = e->path;
  int parent = follow ? AT_FDCWD : resolve_parent(r, e->path, e->base, &name);
  char at[PATH_MAX];
  long n;
  if (!follow && parent < 0) {
    n = parent;
  } else if (follow) {
    n = read_xattrs(e->path, 1, job->names, arena + job->used, space);
  } else {
    int length = snprintf(at, sizeof at, "/proc/self/fd/%d/%s", parent, name);
    n = length < 0 || (size_t)length >= sizeof at ? -ENAMETOOLONG
                                                  : read_xattrs(at, 0, job->names, arena + job->used, space);
  }
  if (n == NO_ROOM && job->used > 0) return ENTRY_NEXT_CALL;
  if (n == NO_ROOM) n = -E2BIG; /* more than a whole arena: not recorded */
  if (n < 0) {
    e->record[0] = FAILED, e->record[1] = (double)-n;
  } else {
    e->record[0] = READ, e->record[1] = (double)job->used, e->record[2] = (double)n;
    job->used += (size_t)n;
  }
  return ENTRY_DONE;
}

napi_value xattr_files(napi_env env, napi_callback_info info) {
  xattr_job job = {.names = malloc(NAMES_MAX), .used = 0};
  if (job.names == NULL) return throw_error(env, "ERR_VIGIL_MEMORY", "xattrFiles: out of memory");
  run_batch_call(env, info, "xattrFiles(paths, flags, bases, cursor, arena, records, stats)", xattrs_of_one, &job);
  free(job.names);
  return NULL;
}
