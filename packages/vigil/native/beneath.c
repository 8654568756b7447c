/*
 * Opening beneath a tree's root without following links. The walk found `root/a/b/f` by
 * listing directories; between that listing and this open, `a` may have been swapped for a
 * symlink to a directory outside the tree. O_NOFOLLOW guards only the last component, so
 * the parent directory is resolved here with no symlink allowed anywhere below the root:
 * openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS) where the kernel has it (Linux 5.6+), else
 * one openat(O_NOFOLLOW) per component. The last component is then opened, stat'ed or read
 * relative to that directory's descriptor with O_NOFOLLOW / AT_SYMLINK_NOFOLLOW.
 *
 * Files of one batch mostly share a directory (the walk yields them in path order), so the
 * last parent is kept open and reused: one resolution per directory, not per file.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vigil.h"

/* Cleared once openat2 is found missing (ENOSYS) or filtered (EPERM under some seccomp profiles);
   worker threads share it, hence the atomic accesses. */
static int have_openat2 = 1;

#define DIR_FLAGS (O_PATH | O_DIRECTORY | O_CLOEXEC)

void resolver_init(resolver *r) {
  r->root_fd = -1;
  r->root_len = 0;
  r->dir_fd = -1;
  r->dir_len = 0;
}

void resolver_close(resolver *r) {
  if (r->dir_fd >= 0) close(r->dir_fd);
  if (r->root_fd >= 0) close(r->root_fd);
  resolver_init(r);
}

/* Opens the root prefix (followed: the user named it) unless it is the one already open. */
static int use_root(resolver *r, const char *path, uint32_t base) {
  if (r->root_fd >= 0 && r->root_len == base && memcmp(r->root, path, base) == 0) return 0;
  if (base >= sizeof r->root) return -ENAMETOOLONG;
  resolver_close(r);
  memcpy(r->root, path, base);
  r->root[base] = 0;
  int fd = open(base == 0 ? "." : r->root, DIR_FLAGS);
  if (fd < 0) return -errno;
  r->root_fd = fd;
  r->root_len = base;
  return 0;
}

static int open_dir_openat2(int root_fd, const char *relative) {
  struct open_how how = {.flags = DIR_FLAGS, .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
  for (int attempt = 0; attempt < 8; attempt++) {
    long fd = syscall(SYS_openat2, root_fd, relative, &how, sizeof how);
    if (fd >= 0) return (int)fd;
    /* EAGAIN: a rename raced the lookup and the kernel could not prove it stayed beneath. */
    if (errno != EAGAIN) return -errno;
  }
  return -EAGAIN;
}

/* One openat(O_NOFOLLOW) per component: the same guarantee on kernels without openat2. */
static int open_dir_stepwise(int root_fd, char *relative) {
  int fd = root_fd;
  for (char *part = relative, *slash; part != NULL; part = slash == NULL ? NULL : slash + 1) {
    slash = strchr(part, '/');
    if (slash != NULL) *slash = 0;
    int next = strcmp(part, "..") == 0 ? (errno = EXDEV, -1) : openat(fd, part, DIR_FLAGS | O_NOFOLLOW);
    int error = errno;
    struct stat st;
    /* A symlink where a directory was: say so as openat2 does (ELOOP), not "not a directory". */
    if (next < 0 && error == ENOTDIR && fstatat(fd, part, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
      error = ELOOP;
    }
    if (slash != NULL) *slash = '/';
    if (fd != root_fd) close(fd);
    if (next < 0) return -error;
    fd = next;
  }
  return fd;
}

int open_beneath(int root_fd, char *relative) {
  int fd = -ENOSYS;
  if (__atomic_load_n(&have_openat2, __ATOMIC_RELAXED)) {
    fd = open_dir_openat2(root_fd, relative);
    if (fd == -ENOSYS || fd == -EPERM) __atomic_store_n(&have_openat2, 0, __ATOMIC_RELAXED);
  }
  if (fd == -ENOSYS || fd == -EPERM) fd = open_dir_stepwise(root_fd, relative);
  return fd;
}

int resolve_parent(resolver *r, const char *path, uint32_t base, const char **name) {
  int failed = use_root(r, path, base);
  if (failed) return failed;
  const char *relative = path + base;
  const char *last_slash = strrchr(relative, '/');
  if (last_slash == NULL) {
    *name = relative;
    return r->root_fd;
  }
  *name = last_slash + 1;
  size_t dir_len = (size_t)(last_slash - relative);
  if (r->dir_fd >= 0 && r->dir_len == dir_len && memcmp(r->dir, relative, dir_len) == 0) return r->dir_fd;
  if (dir_len >= sizeof r->dir) return -ENAMETOOLONG;
  if (r->dir_fd >= 0) close(r->dir_fd);
  r->dir_fd = -1;
  memcpy(r->dir, relative, dir_len);
  r->dir[dir_len] = 0;
  int fd = open_beneath(r->root_fd, r->dir);
  if (fd < 0) return fd;
  r->dir_fd = fd;
  r->dir_len = dir_len;
  return fd;
}
