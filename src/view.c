/* Placeholder while the module is being written; replaced by its implementation. */
int view_placeholder(void);
int view_placeholder(void) { return 0; }
