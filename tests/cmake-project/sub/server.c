int ggml_cuda_init(void);
int main(void) { return ggml_cuda_init(); }
