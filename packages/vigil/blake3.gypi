# BLAKE3's official C sources as a static library, for the addon (binding.gyp) and its test
# build (test/native/binding.gyp). The including file sets blake3_dir to the folder
# scripts/blake3-sources.mjs linked them at, or to '' when this machine has none; they are
# never copied into this repository. On x86-64 the SIMD code is BLAKE3's Unix assembly, which
# needs no per-file -m flags; blake3_dispatch.c picks SSE2/SSE4.1/AVX2/AVX-512 at run time.
{
  "conditions": [
    ["blake3_dir!=''", {
      "targets": [
        {
          # Its own target: BLAKE3's sources get BLAKE3's flags, not the addon's -Werror.
          "target_name": "blake3",
          "type": "static_library",
          "sources": ["<(blake3_dir)/blake3.c", "<(blake3_dir)/blake3_dispatch.c", "<(blake3_dir)/blake3_portable.c"],
          "cflags": ["-O3", "-fPIC"],
          "conditions": [
            ["target_arch=='x64'", {
              "sources": [
                "<(blake3_dir)/blake3_sse2_x86-64_unix.S",
                "<(blake3_dir)/blake3_sse41_x86-64_unix.S",
                "<(blake3_dir)/blake3_avx2_x86-64_unix.S",
                "<(blake3_dir)/blake3_avx512_x86-64_unix.S"
              ]
            }],
            ["target_arch=='arm64'", {
              "sources": ["<(blake3_dir)/blake3_neon.c"]
            }],
            ["target_arch!='x64' and target_arch!='arm64'", {
              "defines": ["BLAKE3_NO_SSE2", "BLAKE3_NO_SSE41", "BLAKE3_NO_AVX2", "BLAKE3_NO_AVX512", "BLAKE3_USE_NEON=0"]
            }]
          ]
        }
      ]
    }]
  ]
}
