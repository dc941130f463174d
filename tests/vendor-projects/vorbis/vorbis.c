#include <ogg.h>
int vorbis_info_init(void) { return ogg_sync_init(); }
