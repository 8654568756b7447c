/*
 * vigil's native addon: the system calls of vigil's file-system layer (src/fs/) that are
 * made per file, batched so that a worker crosses into C once per batch. The entry points:
 *
 *   readFiles, hashFiles, statFiles   batch.c (open beneath the root, fstat/read/fstat)
 *   xattrFiles                       xattrs.c (every extended attribute, not following links)
 *   chunkScan                        chunker.c (content-defined chunking's per-byte loop)
 *   dataRanges                       data_ranges.c (the data ranges of a sparse file)
 *   openDirectoryAt, listDirectory   list_dir.c (the walk: one call per directory)
 *   syncFileSystem(path)             syncfs(2) of the file system holding path: 0 or errno
 *   startWriteback(fd)               sync_file_range(2) SYNC_FILE_RANGE_WRITE of the whole file: 0 or errno
 *   userName, groupName, userId, groupId  accounts.c (owners' names)
 *   lstatAt, openAt, utimesAt, ...  meta.c (the *at calls of metadata capture and restore)
 *   blake3                           BLAKE3's version when hashFiles has it built in ("BLAKE3"), else absent
 *   blake3Keyed, zstdCompress, zstdDecompress, zstd
 *                                    repo_codec.c (repository format 2's per-blob work)
 *   sealBlob, openBlob               sealing.c (AES-256-GCM of sealed blobs, OpenSSL's)
 *
 * Paths are bytes (never decoded). No entry point calls back into JavaScript.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <unistd.h>

#include "vigil.h"

napi_value read_files(napi_env env, napi_callback_info info);
napi_value hash_files(napi_env env, napi_callback_info info);
napi_value stat_files(napi_env env, napi_callback_info info);
napi_value xattr_files(napi_env env, napi_callback_info info);
napi_value chunk_scan(napi_env env, napi_callback_info info);
napi_value data_ranges(napi_env env, napi_callback_info info);
int export_repo_codec(napi_env env, napi_value exports);
napi_value open_directory_at(napi_env env, napi_callback_info info);
napi_value list_directory(napi_env env, napi_callback_info info);
int export_meta_functions(napi_env env, napi_value exports);
int export_account_functions(napi_env env, napi_value exports);
int export_sealing(napi_env env, napi_value exports);

static napi_value sync_file_system(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  char path[PATH_MAX];
  size_t length;
  if (argc < 1 || napi_get_value_string_utf8(env, argv[0], path, sizeof path, &length) != napi_ok) {
    return throw_type_error(env, "syncFileSystem(path: string)");
  }
  if (length >= sizeof path - 1) return throw_type_error(env, "syncFileSystem: path too long");
  int error = 0;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = errno;
  } else {
    if (syncfs(fd) != 0) error = errno;
    close(fd);
  }
  napi_value result;
  if (napi_create_int32(env, error, &result) != napi_ok) return NULL;
  return result;
}

/* The one argument of a call that takes a descriptor, in `fd`; false (with a TypeError thrown
   that shows `usage`) if it is not a number of 0 or more. */
static bool fd_argument(napi_env env, napi_callback_info info, const char *usage, int32_t *fd) {
  size_t argc = 1;
  napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return false;
  if (argc < 1 || napi_get_value_int32(env, argv[0], fd) != napi_ok || *fd < 0) {
    throw_type_error(env, usage);
    return false;
  }
  return true;
}

static napi_value int32_value(napi_env env, int32_t value) {
  napi_value out;
  return napi_create_int32(env, value, &out) == napi_ok ? out : NULL;
}

/* Starts the disk writing a file's dirty pages and returns at once (it does not wait for them,
   nor flush the disk's cache, nor the file's metadata: that is still the caller's later flush,
   which then has less left to write). Returns 0 or errno. */
static napi_value start_writeback(napi_env env, napi_callback_info info) {
  int32_t fd;
  if (!fd_argument(env, info, "startWriteback(fd: number)", &fd)) return NULL;
  return int32_value(env, sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE) == 0 ? 0 : errno);
}

/* Closes a descriptor this addon opened (a LARGE file's): node:fs's closeSync in a worker
   thread warns about every descriptor that node:fs did not open itself ("closed but not opened
   in unmanaged mode"). Returns 0 or -errno. */
static napi_value close_descriptor(napi_env env, napi_callback_info info) {
  int32_t fd;
  if (!fd_argument(env, info, "closeDescriptor(fd: number)", &fd)) return NULL;
  return int32_value(env, close(fd) == 0 ? 0 : -errno);
}

static int export_function(napi_env env, napi_value exports, const char *name, napi_callback callback) {
  napi_value fn;
  return napi_create_function(env, name, NAPI_AUTO_LENGTH, callback, NULL, &fn) == napi_ok &&
         napi_set_named_property(env, exports, name, fn) == napi_ok;
}

/* Says that hashFiles takes "BLAKE3", and which version of its C sources was compiled in. */
static int export_blake3(napi_env env, napi_value exports) {
#ifdef VIGIL_BLAKE3
  napi_value version;
  return napi_create_string_utf8(env, BLAKE3_VERSION_STRING, NAPI_AUTO_LENGTH, &version) == napi_ok &&
         napi_set_named_property(env, exports, "blake3", version) == napi_ok;
#else
  (void)env, (void)exports;
  return 1;
#endif
}

NAPI_MODULE_INIT() {
  if (!export_function(env, exports, "readFiles", read_files) ||
      !export_function(env, exports, "hashFiles", hash_files) ||
      !export_function(env, exports, "statFiles", stat_files) ||
      !export_function(env, exports, "xattrFiles", xattr_files) ||
      !export_function(env, exports, "openDirectoryAt", open_directory_at) ||
      !export_function(env, exports, "listDirectory", list_directory) ||
      !export_function(env, exports, "syncFileSystem", sync_file_system) ||
      !export_function(env, exports, "startWriteback", start_writeback) ||
      !export_function(env, exports, "closeDescriptor", close_descriptor) ||
      !export_function(env, exports, "chunkScan", chunk_scan) ||
      !export_function(env, exports, "dataRanges", data_ranges) || !export_blake3(env, exports) ||
      !export_repo_codec(env, exports) || !export_meta_functions(env, exports) ||
      !export_account_functions(env, exports) || !export_sealing(env, exports)) {
    return NULL;
  }
  return exports;
}
