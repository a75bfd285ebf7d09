#include "attribute.h"

#include <string.h>

void attribute_apply(const struct config *c, struct record *r)
{
    r->shared_index = -1;
    if (!c)
        return;
    for (size_t i = 0; i < c->n_rules; i++) {
        const struct config_rule *rule = &c->rules[i];
        if (!config_match(&rule->match, r->tags))
            continue;
        for (int t = 0; t < TAG_COUNT; t++)
            if (rule->set[t] && !r->tags[t]) {
                r->tags[t] = rule->set[t];
                r->tag_len[t] = (uint32_t)strlen(rule->set[t]);
            }
        break;
    }
    for (size_t i = 0; i < c->n_shared; i++)
        if (config_match(&c->shared[i].match, r->tags)) {
            r->shared_index = (int)i;
            break;
        }
}
