int ggml_cuda_init(void);
int common_answer(void);
int main(void) { return ggml_cuda_init() + common_answer(); }
