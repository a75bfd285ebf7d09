/* Where the tool's data (templates/ and fonts/) lives. */
#ifndef CB_PATHS_H
#define CB_PATHS_H

/* Returns the data folder holding templates/ and fonts/, trying in order: `option` (--data-dir),
 * $CHARGEBACK_DATA_DIR, the install location, the source tree the binary was built from.
 * A candidate counts when it has a templates/ folder. Returns a new string (free it) or NULL
 * when none is found. */
char *paths_data_dir(const char *option);

/* Joins two path parts with one '/'. Returns a new string. */
char *paths_join(const char *a, const char *b);

#endif
