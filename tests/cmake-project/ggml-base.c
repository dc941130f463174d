#include <zlib.h>
const char *ggml_base_version(void) { return zlibVersion(); }
