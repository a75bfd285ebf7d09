#include "paths.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "xalloc.h"

char *paths_join(const char *a, const char *b)
{
    size_t n = strlen(a);
    if (n > 0 && a[n - 1] == '/')
        return xasprintf("%s%s", a, b);
    return xasprintf("%s/%s", a, b);
}

static int has_templates(const char *dir)
{
    char *t = paths_join(dir, "templates");
    struct stat st;
    int ok = stat(t, &st) == 0 && S_ISDIR(st.st_mode);
    free(t);
    return ok;
}

char *paths_data_dir(const char *option)
{
    const char *candidates[] = {option, getenv("CHARGEBACK_DATA_DIR"), CB_INSTALL_DATADIR,
                                CB_SOURCE_DATADIR};
    for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++) {
        if (candidates[i] && *candidates[i] && has_templates(candidates[i]))
            return xstrdup(candidates[i]);
        if (i < 2 && candidates[i] && *candidates[i])
            return NULL; /* an explicit choice that does not hold templates/ is an error */
    }
    return NULL;
}
