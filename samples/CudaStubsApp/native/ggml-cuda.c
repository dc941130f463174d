/* Stands in for ggml's CUDA backend: it calls into the CUDA driver API. */
int cuMemCreate(void);
int ggml_cuda_init(void) { return cuMemCreate(); }
