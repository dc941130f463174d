int vorbis_encode_init(void);
int main(void) { return vorbis_encode_init(); }
