/* The tag dimensions a record can carry (SPEC §2.1), plus account_id from Admin API reports. */
#ifndef CB_TAGS_H
#define CB_TAGS_H

enum tag {
    TAG_TEAM,
    TAG_PROJECT,
    TAG_USER,
    TAG_WORKFLOW,
    TAG_ENVIRONMENT,
    TAG_COST_CENTER,
    TAG_DEPARTMENT,
    TAG_REGION,
    TAG_PRODUCT,
    TAG_PROVIDER,
    TAG_API_KEY_ID,
    TAG_WORKSPACE_ID,
    TAG_ACCOUNT_ID,
    TAG_COUNT
};

/* Returns the field name of a tag ("team", ...). */
const char *tag_name(enum tag t);
/* Returns the tag named `name`, or -1. */
int tag_from_name(const char *name);

#endif
