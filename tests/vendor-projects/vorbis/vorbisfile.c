int vorbis_info_init(void);
int ov_open(void) { return vorbis_info_init(); }
