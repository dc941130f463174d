int ggml_cuda_init(void);
const char *ggml_base_version(void);
int common_answer(void);
int objs_answer(void);
int main(void) { return ggml_cuda_init() + common_answer() + objs_answer() + (ggml_base_version() == 0); }
