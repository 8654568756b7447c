# vigil's native addon. BLAKE3 is compiled in from the official C sources when this machine
# has them (Debian's librust-blake3-dev; see blake3.gypi); without them the addon builds as
# before and vigil hashes BLAKE3 with @napi-rs/blake-hash.
{
  "variables": {
    # Links the sources at build/blake3-c (gyp makes rules only for sources beneath this file).
    "blake3_dir": "<!(node scripts/blake3-sources.mjs build/blake3-c)",
    # yes when libzstd's header and library are here (Debian's libzstd-dev), else no.
    "zstd": "<!(node scripts/zstd-available.mjs)"
  },
  "includes": ["blake3.gypi"],
  "targets": [
    {
      "target_name": "vigil_native",
      "sources": ["native/accounts.c", "native/addon.c", "native/batch.c", "native/batch_loop.c", "native/beneath.c", "native/chunker.c", "native/data_ranges.c", "native/digest.c", "native/list_dir.c", "native/meta.c", "native/napi.c", "native/read_verified.c", "native/repo_codec.c", "native/sealing.c", "native/xattrs.c"],
      "defines": ["NAPI_VERSION=8", "_GNU_SOURCE"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Werror"],
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
