int common_answer(void) { return 0; }
