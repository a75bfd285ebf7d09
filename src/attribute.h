/* Attribution (SPEC §4): the configuration's rules fill the tags a record lacks, then the first
 * matching shared-cost rule marks the record as part of that pool. */
#ifndef CB_ATTRIBUTE_H
#define CB_ATTRIBUTE_H

#include "config.h"
#include "record.h"

/* Applies config->rules in order to r: the first rule whose match holds sets each of its tags
 * that r does not have (pointers to the configuration's strings, valid while it lives); later
 * rules are not looked at. Then sets r->shared_index to the first config->shared rule that
 * matches the tags (after the rules), or -1. Never fails. */
void attribute_apply(const struct config *c, struct record *r);

#endif
