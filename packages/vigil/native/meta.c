/*
 * Metadata capture and restore (src/repo/metadata.ts, src/repo/restore-entry.ts): the calls
 * node:fs lacks. Node has no *at calls, no mknod, no xattrs, and its utimes
 * rounds times to the microsecond (measured: see src/repo/meta-calls.ts).
 *
 *   lstatAt(dir, name, out)              fstatat(AT_SYMLINK_NOFOLLOW) into out (BigInt64Array, LSTAT_* slots)
 *   openAt(dir, name, flags, mode)       openat: a descriptor, or -errno
 *   openDirBeneath(root, relative)       the directory `relative` (components joined by '/') beneath
 *                                        the descriptor root, no symlink followed (beneath.c): an
 *                                        O_PATH descriptor, or -errno; capture's parent directories
 *   mkdirAt(dir, name, mode)             mkdirat
 *   symlinkAt(target, dir, name)         symlinkat
 *   mknodAt(dir, name, mode, major, minor)  mknodat (mode carries the type: S_IFIFO, S_IFCHR, S_IFBLK)
 *   linkAt(fromDir, fromName, dir, name) linkat without following fromName
 *   renameAt(fromDir, fromName, dir, name) renameat
 *   unlinkAt(dir, name, flags)           unlinkat
 *   chownAt(dir, name, uid, gid)         fchownat(AT_SYMLINK_NOFOLLOW)
 *   chmodAt(dir, name, mode)             chmod of what `name` is, never through a symlink (-ELOOP on one)
 *   utimesAt(dir, name, atimeNs, mtimeNs)  utimensat(AT_SYMLINK_NOFOLLOW), nanoseconds as BigInt
 *   utimesFd(fd, atimeNs, mtimeNs)       futimens: restore sets a file's times on the descriptor it wrote
 *                                        through (no path lookup; node:fs's futimes rounds to microseconds)
 *   openUnnamed(dir, mode)               openat(dir, ".", O_TMPFILE | O_WRONLY): a file with no name yet, or -errno
 *   linkUnnamed(fd, dir, name)           gives such a file its name (linkat of the descriptor); -EEXIST if taken
 *   finishFd(fd, uid, gid, mode, atimeNs, mtimeNs)  restore's metadata of a file without extended
 *                                        attributes, in one call: fstat, then fchown (uid -1: never) and
 *                                        fchmod only where the file differs, then futimens
 *   xattrsAt(dir, name)                  every extended attribute, as src/fs/xattrs.ts records them, or -errno
 *   setXattrAt(dir, name, attr, value)   lsetxattr
 *
 * Each returns 0 (or its result) or -errno; src/repo/restore-calls.ts turns that into an
 * error. `name` is one path component (bytes): empty, ".", "..", or one holding '/' or NUL is
 * a TypeError here as in JavaScript, so no call can reach outside the directory `dir` names.
 * Extended attributes go through /proc/self/fd/<dir>/<name> as in xattrs.c: the l* calls
 * do not follow `name`, and the kernel resolves <dir> to the descriptor's directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "vigil.h"

#define NAMES_MAX 65536
#define VALUE_MAX 65536

/* Copies bytes into out (NUL-terminated); 0 if not a Uint8Array, too long, or holding a NUL. */
static int get_bytes(napi_env env, napi_value value, char *out, size_t capacity, size_t *length) {
  view v;
  if (!get_view(env, value, napi_uint8_array, &v) || v.length >= capacity) return 0;
  if (memchr(v.data, 0, v.length) != NULL) return 0;
  memcpy(out, v.data, v.length);
  out[v.length] = 0;
  *length = v.length;
  return 1;
}

/* One path component: not empty, ".", "..", and no '/'. */
static int get_name(napi_env env, napi_value value, char *out) {
  size_t length;
  if (!get_bytes(env, value, out, NAME_MAX + 1, &length)) return 0;
  return length > 0 && strchr(out, '/') == NULL && strcmp(out, ".") != 0 && strcmp(out, "..") != 0;
}

#define USAGE_TEXT(text) text " (a name is one path component of bytes)"
#define USAGE(text) return throw_type_error(env, USAGE_TEXT(text))

static napi_value result_of(napi_env env, int status) { return number(env, status < 0 ? -errno : status); }

/* The slots of lstatAt's out array (mirrored in src/repo/metadata.ts). */
enum lstat_slot { LSTAT_MODE, LSTAT_UID, LSTAT_GID, LSTAT_SIZE, LSTAT_ATIME_NS, LSTAT_MTIME_NS, LSTAT_RDEV, LSTAT_DEV,
                  LSTAT_INO, LSTAT_NLINK, LSTAT_CTIME_NS, LSTAT_SLOTS };

/* Capture's stat: fstatat relative to the descriptor costs a fifth of node's lstat through
   /proc/self/fd/<dir>/<name> (measured: 12 us against 2 us an entry). */
static napi_value lstat_at(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  long long dir;
  char name[NAME_MAX + 1];
  view out;
  if (!get_args(env, info, 3, argv) || !get_int(env, argv[0], &dir) || !get_name(env, argv[1], name) ||
      !get_view(env, argv[2], napi_bigint64_array, &out) || out.length < LSTAT_SLOTS) {
    USAGE("lstatAt(dir: number, name: Uint8Array, out: BigInt64Array(11))");
  }
  struct stat st;
  if (fstatat((int)dir, name, &st, AT_SYMLINK_NOFOLLOW) != 0) return number(env, -errno);
  int64_t *slot = out.data;
  slot[LSTAT_MODE] = st.st_mode;
  slot[LSTAT_UID] = st.st_uid;
  slot[LSTAT_GID] = st.st_gid;
  slot[LSTAT_SIZE] = st.st_size;
  slot[LSTAT_ATIME_NS] = (int64_t)st.st_atim.tv_sec * 1000000000 + st.st_atim.tv_nsec;
  slot[LSTAT_MTIME_NS] = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
  slot[LSTAT_RDEV] = (int64_t)st.st_rdev;
  slot[LSTAT_DEV] = (int64_t)st.st_dev;
  slot[LSTAT_INO] = (int64_t)st.st_ino;
  slot[LSTAT_NLINK] = (int64_t)st.st_nlink;
  slot[LSTAT_CTIME_NS] = (int64_t)st.st_ctim.tv_sec * 1000000000 + st.st_ctim.tv_nsec;
  return number(env, 0);
}

static napi_value open_at(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  long long dir, flags, mode;
  char name[NAME_MAX + 1];
  if (!get_args(env, info, 4, argv) || !get_int(env, argv[0], &dir) || !get_name(env, argv[1], name) ||
      !get_int(env, argv[2], &flags) || !get_int(env, argv[3], &mode)) {
    USAGE("openAt(dir: number, name: Uint8Array, flags: number, mode: number)");
  }
  return result_of(env, openat((int)dir, name, (int)flags | O_CLOEXEC, (mode_t)mode));
}

/* One openat2 where the JavaScript resolver made one open per component through /proc/self/fd:
   capture resolves every directory of a backup's tree (3,600 on /usr/share) in each batch. */
static napi_value open_dir_beneath(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  long long root;
  char relative[PATH_MAX];
  size_t length;
  if (!get_args(env, info, 2, argv) || !get_int(env, argv[0], &root) ||
      !get_bytes(env, argv[1], relative, sizeof relative, &length) || length == 0 || relative[0] == '/') {
    USAGE("openDirBeneath(root: number, relative: Uint8Array)");
  }
  return number(env, open_beneath((int)root, relative));
}

static napi_value mkdir_at(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  long long dir, mode;
  char name[NAME_MAX + 1];
  if (!get_args(env, info, 3, argv) || !get_int(env, argv[0], &dir) || !get_name(env, argv[1], name) ||
      !get_int(env, argv[2], &mode)) {
    USAGE("mkdirAt(dir: number, name: Uint8Array, mode: number)");
  }
  return result_of(env, mkdirat((int)dir, name, (mode_t)mode));
}

static napi_value symlink_at(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  long long dir;
  char target[PATH_MAX], name[NAME_MAX + 1];
  size_t length;
  if (!get_args(env, info, 3, argv) || !get_bytes(env, argv[0], target, sizeof target, &length) || length == 0 ||
      !get_int(env, argv[1], &dir) || !get_name(env, argv[2], name)) {
    USAGE("symlinkAt(target: Uint8Array, dir: number, name: Uint8Array)");
  }
  return result_of(env, symlinkat(target, (int)dir, name));
}

static napi_value mknod_at(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  long long dir, mode, major_number, minor_number;
  char name[NAME_MAX + 1];
  if (!get_args(env, info, 5, argv) || !get_int(env, argv[0], &dir) || !get_name(env, argv[1], name) ||
      !get_int(env, argv[2], &mode) || !get_int(env, argv[3], &major_number) || !get_int(env, argv[4], &minor_number)) {
    USAGE("mknodAt(dir: number, name: Uint8Array, mode: number, major: number, minor: number)");
  }
  dev_t device = makedev((unsigned)major_number, (unsigned)minor_number);
  return result_of(env, mknodat((int)dir, name, (mode_t)mode, device));
}

/* (fromDir, fromName, dir, name): the arguments of linkAt and renameAt. */
static int get_two_names(napi_env env, napi_callback_info info, long long *from_dir, char *from, long long *dir, char *name) {
  napi_value argv[4];
  return get_args(env, info, 4, argv) && get_int(env, argv[0], from_dir) && get_name(env, argv[1], from) &&
         get_int(env, argv[2], dir) && get_name(env, argv[3], name);
}

static napi_value link_at(napi_env env, napi_callback_info info) {
  long long from_dir, dir;
  char from[NAME_MAX + 1], name[NAME_MAX + 1];
  if (!get_two_names(env, info, &from_dir, from, &dir, name)) USAGE("linkAt(fromDir, fromName, dir, name)");
  return result_of(env, linkat((int)from_dir, from, (int)dir, name, 0));
}

static napi_value rename_at(napi_env env, napi_callback_info info) {
  long long from_dir, dir;
  char from[NAME_MAX + 1], name[NAME_MAX + 1];
  if (!get_two_names(env, info, &from_dir, from, &dir, name)) USAGE("renameAt(fromDir, fromName, dir, name)");
  return result_of(env, renameat((int)from_dir, from, (int)dir, name));
}

static napi_value unlink_at(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  long long dir, flags;
  char name[NAME_MAX + 1];
  if (!get_args(env, info, 3, argv) || !get_int(env, argv[0], &dir) || !get_name(env, argv[1], name) ||
      !get_int(env, argv[2], &flags)) {
    USAGE("unlinkAt(dir: number, name: Uint8Array, flags: number)");
  }
  return result_of(env, unlinkat((int)dir, name, (int)flags));
}

static napi_value chown_at(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  long long dir, uid, gid;
  char name[NAME_MAX + 1];
  if (!get_args(env, info, 4, argv) || !get_int(env, argv[0], &dir) || !get_name(env, argv[1], name) ||
      !get_int(env, argv[2], &uid) || !get_int(env, argv[3], &gid)) {
    USAGE("chownAt(dir: number, name: Uint8Array, uid: number, gid: number)");
  }
  return result_of(env, fchownat((int)dir, name, (uid_t)uid, (gid_t)gid, AT_SYMLINK_NOFOLLOW));
}

/* fchmodat cannot refuse to follow a symlink on Linux: open the entry itself (O_PATH,
   O_NOFOLLOW), check it is no symlink, and chmod the inode that descriptor holds. */
static napi_value chmod_at(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  long long dir, mode;
  char name[NAME_MAX + 1];
  if (!get_args(env, info, 3, argv) || !get_int(env, argv[0], &dir) || !get_name(env, argv[1], name) ||
      !get_int(env, argv[2], &mode)) {
    USAGE("chmodAt(dir: number, name: Uint8Array, mode: number)");
  }
  int fd = openat((int)dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return number(env, -errno);
  struct stat st;
  int status = fstat(fd, &st) != 0 ? -errno : S_ISLNK(st.st_mode) ? -ELOOP : 0;
  if (status == 0) {
    char at[64];
    snprintf(at, sizeof at, "/proc/self/fd/%d", fd);
    if (chmod(at, (mode_t)mode) != 0) status = -errno;
  }
  close(fd);
  return number(env, status);
}

static int get_timespec(napi_env env, napi_value value, struct timespec *out) {
  int64_t ns;
  bool lossless;
  if (napi_get_value_bigint_int64(env, value, &ns, &lossless) != napi_ok || !lossless) return 0;
  out->tv_sec = ns / 1000000000;
  out->tv_nsec = ns % 1000000000;
  if (out->tv_nsec < 0) out->tv_sec -= 1, out->tv_nsec += 1000000000;
  return 1;
}

static napi_value utimes_at(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  long long dir;
  char name[NAME_MAX + 1];
  struct timespec times[2];
  if (!get_args(env, info, 4, argv) || !get_int(env, argv[0], &dir) || !get_name(env, argv[1], name) ||
      !get_timespec(env, argv[2], &times[0]) || !get_timespec(env, argv[3], &times[1])) {
    USAGE("utimesAt(dir: number, name: Uint8Array, atimeNs: bigint, mtimeNs: bigint)");
  }
  return result_of(env, utimensat((int)dir, name, times, AT_SYMLINK_NOFOLLOW));
}

static napi_value utimes_fd(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  long long fd;
  struct timespec times[2];
  if (!get_args(env, info, 3, argv) || !get_int(env, argv[0], &fd) || !get_timespec(env, argv[1], &times[0]) ||
      !get_timespec(env, argv[2], &times[1])) {
    USAGE("utimesFd(fd: number, atimeNs: bigint, mtimeNs: bigint)");
  }
  return result_of(env, futimens((int)fd, times));
}

/*
 * Restore writes a file with no name and links it into place once complete: measured on a
 * fresh ext4, create + write + rename cost 72 us of kernel time a file, O_TMPFILE + write +
 * linkat 48 us (56 us through /proc), creating under the final name 40 us.
 */
static napi_value open_unnamed(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  long long dir, mode;
  if (!get_args(env, info, 2, argv) || !get_int(env, argv[0], &dir) || !get_int(env, argv[1], &mode) || mode < 0 ||
      mode > 0777) {
    USAGE("openUnnamed(dir: number, mode: number)");
  }
  return result_of(env, openat((int)dir, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, (mode_t)mode));
}

/* AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; without it, the descriptor's /proc link does the same. */
static napi_value link_unnamed(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  long long fd, dir;
  char name[NAME_MAX + 1], proc[64];
  if (!get_args(env, info, 3, argv) || !get_int(env, argv[0], &fd) || !get_int(env, argv[1], &dir) ||
      !get_name(env, argv[2], name)) {
    USAGE("linkUnnamed(fd: number, dir: number, name: Uint8Array)");
  }
  if (linkat((int)fd, "", (int)dir, name, AT_EMPTY_PATH) == 0) return number(env, 0);
  if (errno != ENOENT && errno != EPERM) return number(env, -errno);
  snprintf(proc, sizeof proc, "/proc/self/fd/%lld", fd);
  return result_of(env, linkat(AT_FDCWD, proc, (int)dir, name, AT_SYMLINK_FOLLOW));
}

/*
 * A new file often has its recorded owner already (restore as root of root's files) and
 * sometimes its mode: an fstat costs less than an fchown or fchmod, which each dirty the inode
 * in the journal. Owner before mode (chown clears setuid and setgid), times last.
 */
static napi_value finish_fd(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  long long fd, uid, gid, mode;
  struct timespec times[2];
  if (!get_args(env, info, 6, argv) || !get_int(env, argv[0], &fd) || !get_int(env, argv[1], &uid) ||
      !get_int(env, argv[2], &gid) || !get_int(env, argv[3], &mode) || !get_timespec(env, argv[4], &times[0]) ||
      !get_timespec(env, argv[5], &times[1]) || mode < 0 || mode > 07777) {
    USAGE("finishFd(fd: number, uid: number, gid: number, mode: number, atimeNs: bigint, mtimeNs: bigint)");
  }
  struct stat st;
  if (fstat((int)fd, &st) < 0) return number(env, -errno);
  if (uid >= 0 && gid >= 0 && (st.st_uid != (uid_t)uid || st.st_gid != (gid_t)gid)) {
    if (fchown((int)fd, (uid_t)uid, (gid_t)gid) < 0) return number(env, -errno);
    st.st_mode &= ~(mode_t)(S_ISUID | S_ISGID);
  }
  if ((st.st_mode & 07777) != (mode_t)mode && fchmod((int)fd, (mode_t)mode) < 0) return number(env, -errno);
  return result_of(env, futimens((int)fd, times));
}

/* /proc/self/fd/<dir>/<name>, or 0 when it does not fit. */
static int proc_path(char *out, size_t capacity, long long dir, const char *name) {
  int length = snprintf(out, capacity, "/proc/self/fd/%lld/%s", dir, name);
  return length > 0 && (size_t)length < capacity;
}

/* Every attribute as `name NUL, value length (4 bytes, big-endian), value`, in listing order. */
static napi_value xattrs_at(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  long long dir;
  char name[NAME_MAX + 1], at[PATH_MAX];
  if (!get_args(env, info, 2, argv) || !get_int(env, argv[0], &dir) || !get_name(env, argv[1], name)) {
    USAGE("xattrsAt(dir: number, name: Uint8Array)");
  }
  if (!proc_path(at, sizeof at, dir, name)) return number(env, -ENAMETOOLONG);
  char *names = malloc(NAMES_MAX);
  uint8_t *out = NULL;
  size_t used = 0, capacity = 0;
  int status = 0;
  ssize_t listed = names == NULL ? (errno = ENOMEM, -1) : llistxattr(at, names, NAMES_MAX);
  if (listed < 0) status = errno == ENOTSUP ? 0 : -errno, listed = 0;
  for (size_t next = 0; status == 0 && next < (size_t)listed;) {
    const char *attribute = names + next;
    size_t name_length = strnlen(attribute, (size_t)listed - next);
    next += name_length + 1;
    size_t need = used + name_length + 1 + 4 + VALUE_MAX;
    if (need > capacity) {
      uint8_t *grown = realloc(out, need * 2);
      if (grown == NULL) {
        status = -ENOMEM;
        break;
      }
      out = grown, capacity = need * 2;
    }
    uint8_t *head = out + used;
    ssize_t n = lgetxattr(at, attribute, head + name_length + 1 + 4, VALUE_MAX);
    if (n < 0 && errno == ENODATA) continue; /* removed since it was listed */
    if (n < 0) {
      status = -errno;
      break;
    }
    memcpy(head, attribute, name_length);
    head[name_length] = 0;
    head[name_length + 1] = (uint8_t)(n >> 24), head[name_length + 2] = (uint8_t)(n >> 16);
    head[name_length + 3] = (uint8_t)(n >> 8), head[name_length + 4] = (uint8_t)n;
    used += name_length + 1 + 4 + (size_t)n;
  }
  free(names);
  napi_value result = NULL;
  if (status != 0) {
    result = number(env, status);
  } else {
    void *data;
    if (napi_create_buffer_copy(env, used, used == 0 ? "" : (const char *)out, &data, &result) != napi_ok) result = NULL;
  }
  free(out);
  return result;
}

static napi_value set_xattr_at(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  long long dir;
  char name[NAME_MAX + 1], attribute[256], at[PATH_MAX];
  size_t attribute_length;
  view value;
  if (!get_args(env, info, 4, argv) || !get_int(env, argv[0], &dir) || !get_name(env, argv[1], name) ||
      !get_bytes(env, argv[2], attribute, sizeof attribute, &attribute_length) || attribute_length == 0 ||
      !get_view(env, argv[3], napi_uint8_array, &value)) {
    USAGE("setXattrAt(dir: number, name: Uint8Array, attribute: Uint8Array, value: Uint8Array)");
  }
  if (!proc_path(at, sizeof at, dir, name)) return number(env, -ENAMETOOLONG);
  return result_of(env, lsetxattr(at, attribute, value.length == 0 ? "" : value.data, value.length, 0));
}

int export_meta_functions(napi_env env, napi_value exports) {
  static const exported_function functions[] = {
      {"lstatAt", lstat_at},
      {"openAt", open_at},       {"openDirBeneath", open_dir_beneath}, {"mkdirAt", mkdir_at},     {"symlinkAt", symlink_at}, {"mknodAt", mknod_at},
      {"linkAt", link_at},       {"renameAt", rename_at},   {"unlinkAt", unlink_at},   {"chownAt", chown_at},
      {"chmodAt", chmod_at},     {"utimesAt", utimes_at},   {"xattrsAt", xattrs_at},   {"setXattrAt", set_xattr_at},
      {"utimesFd", utimes_fd},   {"finishFd", finish_fd},
      {"openUnnamed", open_unnamed}, {"linkUnnamed", link_unnamed},
  };
  return export_functions(env, exports, functions, sizeof functions / sizeof functions[0]);
}
