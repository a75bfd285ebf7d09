#include "tags.h"

#include <string.h>

static const char *const names[TAG_COUNT] = {
    "team",   "project", "user",     "workflow",   "environment",  "cost_center", "department",
    "region", "product", "provider", "api_key_id", "workspace_id", "account_id",
};

const char *tag_name(enum tag t)
{
    return (t >= 0 && t < TAG_COUNT) ? names[t] : "";
}

int tag_from_name(const char *name)
{
    for (int i = 0; i < TAG_COUNT; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}
