/*
 * What the parts of vigil's native addon share: the record layout of a batch (mirrored in
 * src/fs/records.ts), the resolver that opens paths beneath a tree's root without following
 * links, and the one "fstat, read, fstat" rule. See addon.c for the entry points.
 */
#ifndef VIGIL_H
#define VIGIL_H

#include <limits.h>
#include <node_api.h>
#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#ifdef VIGIL_BLAKE3
#include <blake3.h>
#endif

/* What happened to a path: the first slot of its record; the other slots depend on it. */
enum outcome {
  READ = 0,        /* read: slot 1 offset in the arena, slot 2 size; stat: slot 1/2 a link target in the arena */
  FAILED = 1,      /* slot 1: errno */
  NOT_REGULAR = 2, /* slot 1: st_mode; never read */
  TOO_BIG = 3,     /* slot 2: size; bigger than deferAbove, not read */
  LINKED = 4,      /* slot 1: st_dev, slot 2: st_ino, slot 3: st_nlink; not read */
  CHANGED = 5,     /* its size, mtime or ctime moved while it was read, or it read back short */
  LARGE = 6,       /* slot 1: an open descriptor the caller reads and closes, slot 2: size */
};
#define RECORD_SLOTS 4
/* Per path in the stats array: what fstat (or fstatat) said before reading. */
enum stat_slot { ST_MODE, ST_SIZE, ST_MTIME_NS, ST_CTIME_NS, ST_INO, ST_DEV, ST_NLINK, ST_UID, ST_GID, STAT_SLOTS };
/* Per path in the flags array. */
#define FLAG_FOLLOW 1      /* follow links in the whole path: operands, --follow, --check */
#define FLAG_READ_LINKED 2 /* read it even if it has other hard links */

typedef struct {
  void *data;
  size_t length; /* in elements */
} view;

/* One batch call's arguments, checked. Pointers are valid until the call returns: no entry
   point calls back into JavaScript while it holds them. */
typedef struct {
  view paths;   /* Uint8Array: every path followed by NUL */
  view flags;   /* Uint8Array: FLAG_* per path */
  view bases;   /* Uint32Array: per path, the length of its root prefix (see resolver) */
  view cursor;  /* Uint32Array [index, byte position in paths] */
  view arena;   /* Uint8Array */
  view records; /* Float64Array, RECORD_SLOTS per path */
  view stats;   /* BigInt64Array, STAT_SLOTS per path */
} batch;

/* napi.c: argument checks and errors; every napi_status is checked. */
int get_view(napi_env env, napi_value value, napi_typedarray_type want, view *out);
int get_batch(napi_env env, napi_value *argv, batch *b);
int get_number(napi_env env, napi_value value, double *out);
napi_value throw_type_error(napi_env env, const char *message);
napi_value throw_error(napi_env env, const char *code, const char *message);
napi_value number(napi_env env, double value);
napi_value null_value(napi_env env);
/* A number that is a whole integer (0 otherwise). */
int get_int(napi_env env, napi_value value, long long *out);
/* The first `want` arguments of a call (0 if fewer were given). */
int get_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv);
/* Sets each function of a table as a property of exports: 0 if any step failed. */
typedef struct {
  const char *name;
  napi_callback callback;
} exported_function;
int export_functions(napi_env env, napi_value exports, const exported_function *functions, size_t count);
const char *next_path(napi_env env, const batch *b, size_t position, size_t *next_position);
void put_stats(const batch *b, uint32_t index, const struct stat *s);

/*
 * beneath.c: a path of a batch is `root prefix` + `relative part` (the prefix is bases[i]
 * bytes long, "." when 0). The prefix was named by the user and is followed; the relative
 * part was found by the walk and is resolved beneath the root with no symlink anywhere in it.
 */
typedef struct {
  int root_fd; /* O_PATH descriptor of the current root, or -1 */
  char root[PATH_MAX];
  size_t root_len;
  int dir_fd; /* O_PATH descriptor of the last parent directory resolved, or -1 */
  char dir[PATH_MAX];
  size_t dir_len;
} resolver;

void resolver_init(resolver *r);
void resolver_close(resolver *r);
/* The parent directory of `path` beneath its root, and its last component in *name; or -errno. */
int resolve_parent(resolver *r, const char *path, uint32_t base, const char **name);
/* The directory `relative` (no leading '/', no "..") beneath root_fd, no symlink followed on the
   way: an O_PATH descriptor, or -errno (ELOOP for a symlink where a directory was). */
int open_beneath(int root_fd, char *relative);

/* batch_loop.c: what every batch entry point does first and last. */
/* Takes a call's `want` arguments (the batch first, then deferAbove unless NULL); 0 with an exception if they are not all there. */
int begin_batch(napi_env env, napi_callback_info info, size_t want, napi_value *argv, batch *b, double *defer_above,
                const char *usage);
/* One path of a batch, as an entry point's work sees it. */
typedef struct {
  uint32_t index;
  const char *path; /* NUL-terminated, inside `paths` */
  uint32_t base;    /* bases[index] */
  uint8_t flags;    /* flags[index] */
  double *record;   /* its RECORD_SLOTS in `records` */
} batch_entry;
/* What became of a path, as the work tells the loop. */
typedef enum {
  ENTRY_DONE,      /* recorded: go on to the next path */
  ENTRY_LAST,      /* recorded, and the call returns after it */
  ENTRY_NEXT_CALL, /* not recorded: the call returns and this path is first in the next one */
  ENTRY_FAILED,    /* the call fails: the entry point throws, and the cursor is left as it was */
} entry_step;
typedef entry_step (*entry_work)(void *context, const batch *b, resolver *r, const batch_entry *entry);
/* Runs `work` on each path from the cursor on, with one resolver for the call, and moves the
   cursor past the paths done. 0 if the work failed; 1 otherwise (an exception may be pending
   if `paths` ran out before `flags`). */
int for_each_entry(napi_env env, const batch *b, entry_work work, void *context);
/* The whole call of an entry point whose arguments are the batch alone (statFiles, xattrFiles):
   begin_batch, then for_each_entry. 0 if either failed. */
int run_batch_call(napi_env env, napi_callback_info info, const char *usage, entry_work work, void *context);

/* read_verified.c: the one rule for reading a file (see there). */
typedef int (*chunk_sink)(void *context, const uint8_t *bytes, size_t length);
int open_entry(resolver *r, const char *path, uint32_t base, uint8_t flags, double defer_above, struct stat *before,
               double *record);
int read_verified(int fd, const struct stat *before, uint8_t *buffer, size_t buffer_length, chunk_sink sink,
                  void *context, double *record, size_t *total);

/* digest.c: what hashFiles hashes with (OpenSSL's digests; BLAKE3 when built in). */
typedef struct {
  EVP_MD *md; /* NULL for BLAKE3 */
  EVP_MD_CTX *ctx;
#ifdef VIGIL_BLAKE3
  blake3_hasher blake3;
#endif
  size_t length; /* of a digest, in bytes */
} digest;
/* The digest named by a JavaScript string; 0 with an exception thrown if there is none. */
int digest_open(napi_env env, napi_value name, digest *d);
int digest_start(digest *d);
int digest_update(void *d, const uint8_t *bytes, size_t length); /* a chunk_sink */
int digest_finish(digest *d, uint8_t *out);
void digest_close(digest *d);

#endif
