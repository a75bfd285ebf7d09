/* Placeholder while the module is being written; replaced by its implementation. */
int main(void) { return 2; }
