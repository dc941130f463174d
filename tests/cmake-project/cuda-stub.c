int cuMemCreate(void) { return 0; }
int cuMemMap(void) { return 0; }
