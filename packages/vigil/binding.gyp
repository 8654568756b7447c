{
  "targets": [
    {
      "target_name": "vigil_native",
      "sources": ["native/addon.c", "native/batch.c", "native/beneath.c", "native/napi.c", "native/read_verified.c"],
      "defines": ["NAPI_VERSION=8", "_GNU_SOURCE"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Werror"]
    }
  ]
}
