int cuMemCreate(void); int cuMemMap(void);
int ggml_cuda_init(void) { return cuMemCreate() + cuMemMap(); }
