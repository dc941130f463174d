int ov_open(void);
int main(void) { return ov_open(); }
