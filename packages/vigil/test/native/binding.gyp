{
  "targets": [
    {
      "target_name": "vigil_native_observed",
      "sources": [
        "../../native/addon.c",
        "../../native/batch.c",
        "../../native/beneath.c",
        "../../native/napi.c",
        "../../native/read_verified.c",
        "observe_reads.c"
      ],
      "include_dirs": ["../../native"],
      "defines": ["NAPI_VERSION=8", "_GNU_SOURCE"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Werror"],
      "ldflags": ["-Wl,--wrap=read", "-Wl,--wrap=fstat64", "-Wl,--wrap=close"]
    }
  ]
}
