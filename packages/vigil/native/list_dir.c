/*
 * The walk's directory listing (src/fs/walk-directory.ts), one call per directory:
 *
 *   openDirectoryAt(parentFd, name: Buffer, follow)  the child directory `name` of parentFd:
 *       openat(O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOATIME, and O_NOFOLLOW unless follow): its
 *       descriptor, or -errno
 *   listDirectory(fd, follow, prefix: Buffer)  every entry of the directory fd (but "." and
 *       ".."), typed and sorted, with its path (prefix + name), packed in one Buffer (the layout
 *       below, mirrored in src/fs/listing.ts); or -errno
 *
 * Under node:fs, a listing costs a Dirent and a name Buffer per entry and a path through
 * /proc/self/fd per directory; here it is getdents64 into a stack buffer, a sort, and one
 * Buffer, in which the walk's paths are ready to be cut out (no copy per entry in JavaScript:
 * at 200k files that was a third of the walk's time). Entries are typed by d_type; DT_UNKNOWN (some file systems never fill it in) is
 * typed by fstatat(AT_SYMLINK_NOFOLLOW). Under follow, a symlink is typed by what it points
 * to (fstatat following it) and marked VIA_LINK.
 *
 * The sort is bytewise on the name with '/' appended to directories' (a symlink to one under
 * follow included): that orders the full paths of the walk bytewise (see src/fs/walk.ts).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vigil.h"

/* The kind of an entry: the first byte of its record. Mirrors EntryKind in src/fs/listing.ts. */
enum entry_kind {
  KIND_FILE = 0,
  KIND_DIR = 1,
  KIND_SYMLINK = 2,
  KIND_FIFO = 3,
  KIND_SOCKET = 4,
  KIND_DEVICE = 5,
  KIND_OTHER = 6,     /* not a regular file */
  KIND_LOOP = 7,      /* under follow: a symlink that ends in a loop (ELOOP) */
  KIND_DANGLING = 8,  /* under follow: a symlink to nothing (ENOENT) */
  KIND_ERROR = 9,     /* the errno byte says why it could not be typed */
};
#define VIA_LINK 0x80 /* or'ed into the kind: reached through a symlink (under follow) */
/* A record: kind, errno, name length (u16, little-endian), the prefix's bytes, the name's (no NUL). */
#define RECORD_HEADER 4

typedef struct {
  size_t name; /* offset in the names arena */
  uint16_t length;
  uint8_t kind;
  uint8_t error;
} entry;

typedef struct {
  entry *entries;
  size_t count, capacity;
  char *names;
  size_t names_used, names_capacity;
} listing;

static int grow(void **data, size_t *capacity, size_t needed, size_t size) {
  if (needed <= *capacity) return 1;
  size_t next = *capacity ? *capacity * 2 : 64;
  while (next < needed) next *= 2;
  void *moved = realloc(*data, next * size);
  if (moved == NULL) return 0;
  *data = moved;
  *capacity = next;
  return 1;
}

static uint8_t kind_of_mode(mode_t mode) {
  if (S_ISREG(mode)) return KIND_FILE;
  if (S_ISDIR(mode)) return KIND_DIR;
  if (S_ISLNK(mode)) return KIND_SYMLINK;
  if (S_ISFIFO(mode)) return KIND_FIFO;
  if (S_ISSOCK(mode)) return KIND_SOCKET;
  if (S_ISBLK(mode) || S_ISCHR(mode)) return KIND_DEVICE;
  return KIND_OTHER;
}

static uint8_t kind_of_type(unsigned char type) {
  switch (type) {
    case DT_REG: return KIND_FILE;
    case DT_DIR: return KIND_DIR;
    case DT_LNK: return KIND_SYMLINK;
    case DT_FIFO: return KIND_FIFO;
    case DT_SOCK: return KIND_SOCKET;
    case DT_BLK:
    case DT_CHR: return KIND_DEVICE;
    default: return KIND_OTHER;
  }
}

/* Types one entry: by d_type, else by lstat; under follow, a symlink by its target. */
static void type_entry(int fd, const char *name, unsigned char type, int follow, entry *e) {
  struct stat st;
  e->error = 0;
  if (type == DT_UNKNOWN) {
    if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
      e->kind = KIND_ERROR;
      e->error = (uint8_t)errno;
      return;
    }
    e->kind = kind_of_mode(st.st_mode);
  } else {
    e->kind = kind_of_type(type);
  }
  if (e->kind != KIND_SYMLINK || !follow) return;
  if (fstatat(fd, name, &st, 0) == 0) {
    e->kind = kind_of_mode(st.st_mode) | VIA_LINK;
  } else if (errno == ENOENT || errno == ELOOP) {
    e->kind = (errno == ENOENT ? KIND_DANGLING : KIND_LOOP) | VIA_LINK;
  } else {
    e->kind = KIND_ERROR | VIA_LINK;
    e->error = (uint8_t)errno;
  }
}

/* Reads every entry of fd into l: 0, or an errno. */
static int read_entries(int fd, int follow, listing *l) {
  /* getdents64 fills this with as many whole records as fit; a name is at most 255 bytes here. */
  char buffer[32768] __attribute__((aligned(8)));
  for (;;) {
    ssize_t got = getdents64(fd, buffer, sizeof buffer);
    if (got < 0) return errno;
    if (got == 0) return 0;
    for (ssize_t at = 0; at < got;) {
      struct dirent64 *d = (struct dirent64 *)(buffer + at);
      at += d->d_reclen;
      const char *name = d->d_name;
      if (name[0] == '.' && (name[1] == 0 || (name[1] == '.' && name[2] == 0))) continue;
      size_t length = strlen(name);
      if (length > UINT16_MAX) return ENAMETOOLONG;
      if (!grow((void **)&l->entries, &l->capacity, l->count + 1, sizeof(entry)) ||
          !grow((void **)&l->names, &l->names_capacity, l->names_used + length, 1)) {
        return ENOMEM;
      }
      entry *e = &l->entries[l->count++];
      e->name = l->names_used;
      e->length = (uint16_t)length;
      memcpy(l->names + l->names_used, name, length);
      l->names_used += length;
      type_entry(fd, name, d->d_type, follow, e);
    }
  }
}

/* Bytewise on the name, a directory's name read as if it ended in '/'. */
static int compare_entries(const void *left, const void *right, void *names) {
  const entry *a = left, *b = right;
  size_t common = a->length < b->length ? a->length : b->length;
  int order = memcmp((char *)names + a->name, (char *)names + b->name, common);
  if (order != 0) return order;
  /* The byte after the common part: the name's next, '/' for a directory at its end, or none (-1). */
  int next_a = a->length > common ? (unsigned char)((char *)names)[a->name + common]
                                  : ((a->kind & ~VIA_LINK) == KIND_DIR ? '/' : -1);
  int next_b = b->length > common ? (unsigned char)((char *)names)[b->name + common]
                                  : ((b->kind & ~VIA_LINK) == KIND_DIR ? '/' : -1);
  return next_a - next_b;
}

static napi_value packed(napi_env env, const listing *l, const view *prefix) {
  size_t size = 0;
  for (size_t i = 0; i < l->count; i++) size += RECORD_HEADER + prefix->length + l->entries[i].length;
  void *data;
  napi_value result;
  /* An empty directory still gets a Buffer: a zero-length one. */
  if (napi_create_buffer(env, size, &data, &result) != napi_ok) return NULL;
  uint8_t *out = data;
  for (size_t i = 0; i < l->count; i++) {
    const entry *e = &l->entries[i];
    out[0] = e->kind;
    out[1] = e->error;
    out[2] = (uint8_t)(e->length & 0xff);
    out[3] = (uint8_t)(e->length >> 8);
    memcpy(out + RECORD_HEADER, prefix->data, prefix->length);
    memcpy(out + RECORD_HEADER + prefix->length, l->names + e->name, e->length);
    out += RECORD_HEADER + prefix->length + e->length;
  }
  return result;
}

static napi_value errno_value(napi_env env, int error) {
  napi_value result;
  if (napi_create_int32(env, -error, &result) != napi_ok) return NULL;
  return result;
}

/* A descriptor and the follow flag; 0 if either is not one. */
static int get_fd_and_follow(napi_env env, napi_value fd_value, napi_value follow_value, int *fd, int *follow) {
  double number;
  bool flag;
  if (!get_number(env, fd_value, &number) || number < 0 || number > INT32_MAX || number != (int)number) return 0;
  napi_valuetype type;
  if (napi_typeof(env, follow_value, &type) != napi_ok || type != napi_boolean ||
      napi_get_value_bool(env, follow_value, &flag) != napi_ok) {
    return 0;
  }
  *fd = (int)number;
  *follow = flag;
  return 1;
}

napi_value list_directory(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  int fd, follow;
  view prefix;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc < 3 || !get_fd_and_follow(env, argv[0], argv[1], &fd, &follow) || !get_view(env, argv[2], napi_uint8_array, &prefix)) {
    return throw_type_error(env, "listDirectory(fd: number, follow: boolean, prefix: Uint8Array)");
  }
  listing l = {0};
  int error = read_entries(fd, follow, &l);
  napi_value result = NULL;
  if (error != 0) {
    result = errno_value(env, error);
  } else {
    qsort_r(l.entries, l.count, sizeof(entry), compare_entries, l.names);
    result = packed(env, &l, &prefix);
  }
  free(l.entries);
  free(l.names);
  return result;
}

napi_value open_directory_at(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  int parent, follow;
  view name;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc < 3 || !get_fd_and_follow(env, argv[0], argv[2], &parent, &follow) || !get_view(env, argv[1], napi_uint8_array, &name)) {
    return throw_type_error(env, "openDirectoryAt(parentFd: number, name: Uint8Array, follow: boolean)");
  }
  char path[NAME_MAX + 1];
  if (name.length == 0 || name.length > NAME_MAX) return errno_value(env, name.length == 0 ? ENOENT : ENAMETOOLONG);
  memcpy(path, name.data, name.length);
  path[name.length] = 0;
  /* A name holds no '/' nor NUL: the walk got it from a listing; one that does is not a name. */
  if (strlen(path) != name.length || memchr(path, '/', name.length) != NULL) return errno_value(env, EINVAL);
  /*
   * O_NOATIME, as files are read (read_verified.c): listing must not move the directory's
   * atime, which the next backup records (relatime moves it once a day), or every directory
   * would look changed and get a new tree. It needs the owner or CAP_FOWNER: EPERM, opened as before.
   */
  int flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW);
  int fd = openat(parent, path, flags | O_NOATIME);
  if (fd < 0 && errno == EPERM) fd = openat(parent, path, flags);
  napi_value result;
  if (napi_create_int32(env, fd >= 0 ? fd : -errno, &result) != napi_ok) return NULL;
  return result;
}
