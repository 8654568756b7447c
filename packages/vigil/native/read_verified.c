/*
 * The one rule for reading a source file, for every reader of vigil (hash, check, backup):
 *
 *  - A path the walk found is opened beneath its root with O_NOFOLLOW (beneath.c), and with
 *    O_NONBLOCK | O_NOCTTY: the walk saw a regular file, and should a FIFO have been swapped
 *    in since, the open returns at once rather than waiting for a writer.
 *  - A path that is to be followed (an operand, --follow, --check) is opened with O_PATH,
 *    which opens nothing; only once fstat says it is a regular file is it reopened for
 *    reading through /proc/self/fd. So a symlink to a device or FIFO never opens it.
 *  - fstat, read, fstat: a file whose size, mtime or ctime moved while it was read, or that
 *    did not read back the size fstat gave, is CHANGED, never READ.
 *  - Not regular, hard-linked (unless asked) and too big are handed back unread.
 *  - A sparse file streamed to a hash has its holes hashed as zeros, not read (see read_verified).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "vigil.h"

#define READ_FLAGS (O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)

static int same_state(const struct stat *a, const struct stat *b) {
  return a->st_size == b->st_size && a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
         a->st_mtim.tv_nsec == b->st_mtim.tv_nsec && a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
         a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/*
 * openat for reading without moving the file's atime (O_NOATIME, as restic and AIDE read):
 * hashing, checking or backing up a tree must not change what the next snapshot or check
 * records of it. O_NOATIME needs the file's owner or CAP_FOWNER; without, EPERM, and the
 * file is opened as before.
 */
static int open_for_reading(int dir, const char *name, int flags) {
  int fd = openat(dir, name, flags | O_NOATIME);
  if (fd < 0 && errno == EPERM) fd = openat(dir, name, flags);
  return fd;
}

/* /proc/self/fd, opened once per process (worker threads share it). */
static int proc_fd_dir(void) {
  static int dir = -1;
  int fd = __atomic_load_n(&dir, __ATOMIC_ACQUIRE);
  if (fd >= 0) return fd;
  fd = open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return -errno;
  int expected = -1;
  if (!__atomic_compare_exchange_n(&dir, &expected, fd, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
    close(fd);
    return expected;
  }
  return fd;
}

/* Reopens an O_PATH descriptor of a regular file for reading; closes it either way. */
static int reopen_for_reading(int path_fd) {
  int proc = proc_fd_dir();
  int fd = proc;
  if (proc >= 0) {
    char name[16];
    snprintf(name, sizeof name, "%d", path_fd);
    fd = open_for_reading(proc, name, READ_FLAGS);
    if (fd < 0) fd = -errno;
  }
  close(path_fd);
  return fd;
}

static int fail(double *record, int error) {
  record[0] = FAILED, record[1] = error;
  return -1;
}

/* Classifies an opened descriptor from `before`: returns 1 if it is to be read, else writes the record. */
static int worth_reading(const struct stat *before, uint8_t flags, double defer_above, double *record) {
  if (!S_ISREG(before->st_mode)) {
    record[0] = NOT_REGULAR, record[1] = before->st_mode;
  } else if (!(flags & FLAG_READ_LINKED) && before->st_nlink > 1) {
    record[0] = LINKED, record[1] = (double)before->st_dev, record[2] = (double)before->st_ino;
    record[3] = (double)before->st_nlink;
  } else if ((double)before->st_size > defer_above) {
    record[0] = TOO_BIG, record[2] = (double)before->st_size;
  } else {
    return 1;
  }
  return 0;
}

/*
 * Opens one path of a batch (see the top of this file) and fstats it into `before`. Returns
 * a descriptor to read, or -1 with the record written and nothing left open.
 */
int open_entry(resolver *r, const char *path, uint32_t base, uint8_t flags, double defer_above, struct stat *before,
               double *record) {
  int fd;
  if (flags & FLAG_FOLLOW) {
    fd = open(path, O_PATH | O_CLOEXEC);
  } else {
    const char *name;
    int parent = resolve_parent(r, path, base, &name);
    if (parent < 0) return fail(record, -parent);
    fd = open_for_reading(parent, name, READ_FLAGS | O_NOFOLLOW);
  }
  if (fd < 0) return fail(record, errno);
  if (fstat(fd, before) != 0) {
    int error = errno;
    close(fd);
    return fail(record, error);
  }
  if (!worth_reading(before, flags, defer_above, record)) {
    close(fd);
    return -1;
  }
  if (flags & FLAG_FOLLOW) {
    fd = reopen_for_reading(fd);
    if (fd < 0) return fail(record, -fd);
  }
  return fd;
}

/* Reads exactly `want` bytes unless the file ends first; returns bytes read, or -1 with errno. */
static ssize_t read_fully(int fd, uint8_t *into, size_t want) {
  size_t got = 0;
  while (got < want) {
    ssize_t n = read(fd, into + got, want - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    if (n == 0) break;
    got += (size_t)n;
  }
  return (ssize_t)got;
}

/*
 * What a sparse file's holes are hashed from: never written, so every page of it is the
 * kernel's one shared zero page (no memory, and always in cache). Reading a hole through
 * read(2) instead makes the kernel fill page cache with zeros first: a 4 GiB sparse file
 * cost 18 s of system time cold, 2.5 s warm.
 */
static uint8_t zeros[1 << 20];

/*
 * Where the data of a sparse file starts at or after `offset`, and where it ends: by lseek's
 * SEEK_DATA and SEEK_HOLE, leaving the file position at the data's start for read(2). Both
 * are clamped to `size` (what fstat said before reading); no data up to there gives
 * start = end = size. Returns 0, -1 with errno, or 1 when the file system cannot tell
 * (EINVAL, EOPNOTSUPP: the caller reads the rest as data).
 */
static int next_data(int fd, off_t offset, off_t size, off_t *start, off_t *end) {
  off_t data = lseek(fd, offset, SEEK_DATA);
  if (data < 0) {
    if (errno == EINVAL || errno == EOPNOTSUPP) return lseek(fd, offset, SEEK_SET) < 0 ? -1 : 1;
    if (errno != ENXIO) return -1;
    data = size; /* no data past offset: a trailing hole, or the file shrank (the second fstat tells) */
  }
  if (data >= size) {
    *start = *end = size;
    return 0;
  }
  off_t hole = lseek(fd, data, SEEK_HOLE);
  if (hole < 0 && errno == ENXIO) {
    *start = *end = size; /* truncated since SEEK_DATA: the second fstat tells */
    return 0;
  }
  if (hole < 0 || lseek(fd, data, SEEK_SET) < 0) return -1;
  *start = data;
  *end = hole < size ? hole : size;
  return 0;
}

/* Hands `length` zero bytes to the sink, in pieces of at most sizeof zeros. */
static int sink_zeros(chunk_sink sink, void *context, size_t length) {
  while (length > 0) {
    size_t piece = length < sizeof zeros ? length : sizeof zeros;
    if (!sink(context, zeros, piece)) return 0;
    length -= piece;
  }
  return 1;
}

/* Whether the file system allocated less than the file's size: only then can it have holes worth skipping. */
static int looks_sparse(const struct stat *before, size_t buffer_length) {
  return (size_t)before->st_size > buffer_length && (off_t)before->st_blocks * 512 < before->st_size;
}

/*
 * Reads the file through `buffer` (in pieces if it is longer), handing each piece to `sink`
 * (if any), then fstats it again. Stops at the size `before` gave: a file that grew shows in
 * the second fstat. A file streamed to a sink that looks sparse (fewer blocks allocated than
 * its size) has its holes handed on as zeros, never read; a hole that appeared or filled
 * while it was read moves its mtime, so the second fstat tells as for any other change.
 * Returns 1 if the file read whole and unchanged (*total = its size); 0 with the record
 * written (FAILED or CHANGED); -1 if the sink failed (the caller throws). Does not close `fd`.
 */
int read_verified(int fd, const struct stat *before, uint8_t *buffer, size_t buffer_length, chunk_sink sink,
                  void *context, double *record, size_t *total) {
  size_t want = (size_t)before->st_size;
  int skip_holes = sink != NULL && looks_sparse(before, buffer_length);
  /* The data range being read ends here: the whole file is one, unless holes are skipped
     (then none is known yet). */
  size_t data_end = skip_holes ? 0 : want;
  *total = 0;
  while (*total < want) {
    if (skip_holes && *total >= data_end) {
      off_t start, end;
      int found = next_data(fd, (off_t)*total, (off_t)want, &start, &end);
      if (found < 0) return fail(record, errno) + 1;
      if (found == 1) {
        skip_holes = 0, data_end = want;
        continue;
      }
      if (!sink_zeros(sink, context, (size_t)start - *total)) return -1;
      *total = (size_t)start, data_end = (size_t)end;
      if (*total >= want) break;
    }
    size_t left = data_end - *total;
    size_t piece = left < buffer_length ? left : buffer_length;
    ssize_t got = read_fully(fd, buffer, piece);
    if (got < 0) return fail(record, errno) + 1;
    if (got == 0) break;
    if (sink != NULL && !sink(context, buffer, (size_t)got)) return -1;
    *total += (size_t)got;
    if ((size_t)got < piece) break;
  }
  struct stat after;
  if (fstat(fd, &after) != 0) return fail(record, errno) + 1;
  if (*total != want || !same_state(before, &after)) {
    record[0] = CHANGED;
    return 0;
  }
  return 1;
}
