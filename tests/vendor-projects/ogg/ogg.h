int ogg_sync_init(void);
