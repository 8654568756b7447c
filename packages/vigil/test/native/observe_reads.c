/*
 * Test only: the native addon built with its read, fstat and close wrapped (the linker's
 * --wrap, see binding.gyp here), so a test can act at the one moment the "changed while
 * read" rule is about: after a file's read and before its second fstat. The shipped addon
 * has no such point; this build is made for tests and loaded only by test/support/.
 *
 * At that moment, for the file the descriptor names: its path is appended to the file named
 * by VIGIL_TEST_READ_LOG (if set), and a file whose name ends in "grows" gets "more" appended.
 * And right after each read: a file whose name ends in "shrinks" is truncated to what has been
 * read of it so far, as a writer truncating it mid-read would (its next read comes back short).
 *
 * getdents64 is wrapped too: in a directory whose name ends in "untyped", every entry comes
 * back as DT_UNKNOWN, as some file systems list them (XFS without ftype, some network and
 * FUSE file systems), so a test can see the walk type them by fstatat instead.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

ssize_t __real_read(int fd, void *buffer, size_t length);
int __real_fstat64(int fd, struct stat *st); /* _FILE_OFFSET_BITS=64 (node-gyp) makes fstat fstat64 */
int __real_close(int fd);
ssize_t __real_getdents64(int fd, void *buffer, size_t length);

#define TRACKED 65536
/* Per descriptor: read since it was opened, and not yet fstat'ed again. */
static unsigned char was_read[TRACKED];

static void append(const char *path, const char *text, size_t length) {
  int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
  if (fd < 0) return;
  ssize_t ignored = write(fd, text, length);
  (void)ignored;
  __real_close(fd);
}

/* The path of descriptor fd into path (4096 bytes); its length, or <= 0. */
static ssize_t path_of(int fd, char *path) {
  char link[64];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, path, 4096 - 2);
  if (n > 0) path[n] = 0;
  return n;
}

static int ends_with(const char *path, ssize_t length, const char *suffix) {
  ssize_t n = (ssize_t)strlen(suffix);
  return length >= n && strcmp(path + length - n, suffix) == 0;
}

static void after_read(int fd) {
  char path[4096];
  ssize_t n = path_of(fd, path);
  if (n <= 0) return;
  path[n] = 0;
  const char *log = getenv("VIGIL_TEST_READ_LOG");
  if (log != NULL) {
    path[n] = '\n';
    append(log, path, (size_t)n + 1);
    path[n] = 0;
  }
  if (ends_with(path, n, "grows")) append(path, "more", 4);
}

ssize_t __wrap_read(int fd, void *buffer, size_t length) {
  ssize_t n = __real_read(fd, buffer, length);
  if (fd >= 0 && fd < TRACKED) was_read[fd] = 1;
  char path[4096];
  ssize_t path_length = n > 0 ? path_of(fd, path) : 0;
  if (path_length > 0 && ends_with(path, path_length, "shrinks")) {
    int saved = errno;
    off_t at = lseek(fd, 0, SEEK_CUR);
    if (at >= 0 && truncate(path, at) != 0) at = -1;
    errno = saved;
  }
  return n;
}

int __wrap_fstat64(int fd, struct stat *st) {
  if (fd >= 0 && fd < TRACKED && was_read[fd]) {
    was_read[fd] = 0;
    int saved = errno;
    after_read(fd);
    errno = saved;
  }
  return __real_fstat64(fd, st);
}

int __wrap_close(int fd) {
  if (fd >= 0 && fd < TRACKED) was_read[fd] = 0;
  return __real_close(fd);
}

ssize_t __wrap_getdents64(int fd, void *buffer, size_t length) {
  ssize_t n = __real_getdents64(fd, buffer, length);
  char path[4096];
  int saved = errno;
  ssize_t path_length = n > 0 ? path_of(fd, path) : 0;
  if (path_length > 0 && ends_with(path, path_length, "untyped")) {
    for (ssize_t at = 0; at < n;) {
      struct dirent64 *d = (struct dirent64 *)((char *)buffer + at);
      d->d_type = DT_UNKNOWN;
      at += d->d_reclen;
    }
  }
  errno = saved;
  return n;
}
