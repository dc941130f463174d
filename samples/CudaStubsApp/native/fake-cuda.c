/* Built twice by the sample: as the toolkit's stub (returns 1) and as the "driver" library (returns 42). */
#ifndef CUDA_RESULT
#define CUDA_RESULT 1
#endif
int cuMemCreate(void) { return CUDA_RESULT; }
