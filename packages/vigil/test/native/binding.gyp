{
  "variables": {
    "blake3_dir": "<!(node ../../scripts/blake3-sources.mjs build/blake3-c)",
    "zstd": "<!(node ../../scripts/zstd-available.mjs)"
  },
  "includes": ["../../blake3.gypi"],
  "targets": [
    {
      "target_name": "vigil_native_observed",
      "sources": [
        "../../native/accounts.c",
        "../../native/addon.c",
        "../../native/batch.c",
        "../../native/batch_loop.c",
        "../../native/beneath.c",
        "../../native/chunker.c",
        "../../native/data_ranges.c",
        "../../native/digest.c",
        "../../native/list_dir.c",
        "../../native/meta.c",
        "../../native/napi.c",
        "../../native/read_verified.c",
        "../../native/repo_codec.c",
        "../../native/sealing.c",
        "../../native/xattrs.c",
        "observe_reads.c"
      ],
      "include_dirs": ["../../native"],
      "defines": ["NAPI_VERSION=8", "_GNU_SOURCE"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Werror"],
      "ldflags": ["-Wl,--wrap=read", "-Wl,--wrap=fstat64", "-Wl,--wrap=close", "-Wl,--wrap=getdents64"],
      "conditions": [
        ["blake3_dir!=''", {
          "defines": ["VIGIL_BLAKE3"],
          "include_dirs": ["<(blake3_dir)"],
          "dependencies": ["blake3"]
        }],
        ["zstd=='yes'", {
          "defines": ["VIGIL_ZSTD"],
          "libraries": ["-lzstd"]
        }]
      ]
    }
  ]
}
