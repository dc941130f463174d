#include "ogg.h"
int drvInit(void);
int ogg_sync_init(void) { return drvInit(); }
