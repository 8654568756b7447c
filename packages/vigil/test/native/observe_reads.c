/*
 * Test only: the native addon built with its read, fstat and close wrapped (the linker's
 * --wrap, see binding.gyp here), so a test can act at the one moment the "changed while
 * read" rule is about: after a file's read and before its second fstat. The shipped addon
 * has no such point; this build is made for tests and loaded only by test/support/.
 *
 * At that moment, for the file the descriptor names: its path is appended to the file named
 * by VIGIL_TEST_READ_LOG (if set), and a file whose name ends in "grows" gets "more" appended.
 */
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

static void after_read(int fd) {
  char link[64], path[4096];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, path, sizeof path - 2);
  if (n <= 0) return;
  path[n] = 0;
  const char *log = getenv("VIGIL_TEST_READ_LOG");
  if (log != NULL) {
    path[n] = '\n';
    append(log, path, (size_t)n + 1);
    path[n] = 0;
  }
  if (n >= 5 && strcmp(path + n - 5, "grows") == 0) append(path, "more", 4);
}

ssize_t __wrap_read(int fd, void *buffer, size_t length) {
  ssize_t n = __real_read(fd, buffer, length);
  if (fd >= 0 && fd < TRACKED) was_read[fd] = 1;
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
