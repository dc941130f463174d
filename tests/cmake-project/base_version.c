#include <stdio.h>
#include <zlib.h>
const char *ggml_base_version(void);
int common_answer(void);
int main(void) { printf("%s %s\n", ggml_base_version(), zlibVersion()); return common_answer(); }
