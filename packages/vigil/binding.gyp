{
  "targets": [
    {
      "target_name": "vigil_native",
      "sources": ["native/read_files.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Werror"]
    }
  ]
}
