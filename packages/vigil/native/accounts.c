/*
 * Owners' names (src/repo/owners.ts): the account lookups Node lacks.
 *
 *   userName(uid), groupName(gid)        getpwuid_r / getgrgid_r: the name, or null
 *   userId(name), groupId(name)          getpwnam_r / getgrnam_r: the id, or null
 */
#include <grp.h>
#include <pwd.h>
#include <string.h>

#include "vigil.h"

#define LOOKUP_BUFFER 16384

/* Which account database a lookup reads: passwd (users) or group. */
typedef enum { USERS, GROUPS } accounts;

/* userName(uid)/groupName(gid): the account's name, or null when this machine has none. */
static napi_value account_name(napi_env env, napi_callback_info info, accounts which, const char *usage) {
  napi_value argv[1];
  long long id;
  if (!get_args(env, info, 1, argv) || !get_int(env, argv[0], &id)) return throw_type_error(env, usage);
  char buffer[LOOKUP_BUFFER];
  const char *name = NULL;
  if (which == USERS) {
    struct passwd entry, *found = NULL;
    if (getpwuid_r((uid_t)id, &entry, buffer, sizeof buffer, &found) == 0 && found != NULL) name = found->pw_name;
  } else {
    struct group entry, *found = NULL;
    if (getgrgid_r((gid_t)id, &entry, buffer, sizeof buffer, &found) == 0 && found != NULL) name = found->gr_name;
  }
  if (name == NULL) return null_value(env);
  napi_value result;
  return napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &result) == napi_ok ? result : NULL;
}

/* userId(name)/groupId(name): the account's id, or null when this machine has no such name. */
static napi_value account_id(napi_env env, napi_callback_info info, accounts which, const char *usage) {
  napi_value argv[1];
  char name[256];
  size_t length;
  if (!get_args(env, info, 1, argv) || napi_get_value_string_utf8(env, argv[0], name, sizeof name, &length) != napi_ok) {
    return throw_type_error(env, usage);
  }
  char buffer[LOOKUP_BUFFER];
  if (which == USERS) {
    struct passwd entry, *found = NULL;
    if (getpwnam_r(name, &entry, buffer, sizeof buffer, &found) == 0 && found != NULL) return number(env, found->pw_uid);
  } else {
    struct group entry, *found = NULL;
    if (getgrnam_r(name, &entry, buffer, sizeof buffer, &found) == 0 && found != NULL) return number(env, found->gr_gid);
  }
  return null_value(env);
}

static napi_value user_name(napi_env env, napi_callback_info info) {
  return account_name(env, info, USERS, "userName(uid: number)");
}
static napi_value group_name(napi_env env, napi_callback_info info) {
  return account_name(env, info, GROUPS, "groupName(gid: number)");
}
static napi_value user_id(napi_env env, napi_callback_info info) {
  return account_id(env, info, USERS, "userId(name: string)");
}
static napi_value group_id(napi_env env, napi_callback_info info) {
  return account_id(env, info, GROUPS, "groupId(name: string)");
}

int export_account_functions(napi_env env, napi_value exports) {
  static const exported_function functions[] = {{"userName", user_name}, {"groupName", group_name}, {"userId", user_id}, {"groupId", group_id}};
  return export_functions(env, exports, functions, sizeof functions / sizeof functions[0]);
}
