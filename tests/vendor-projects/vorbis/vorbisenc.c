int vorbis_info_init(void);
int vorbis_encode_init(void) { return vorbis_info_init(); }
