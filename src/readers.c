/* The table of input readers (SPEC §2.2), tried in order by rec_detect: adding a format adds a
 * row here and its reader's file. The native record formats come last, JSON Lines last of all
 * since it takes whatever no other reader claims (its lines are then rejected one by one). */
#include "records.h"

static bool is_admin_api(const struct rec_sniff *s)
{
    return s->page;
}

static bool is_json_array(const struct rec_sniff *s)
{
    return s->first == '[';
}

static bool is_json_stream(const struct rec_sniff *s)
{
    return s->first == '{' && !s->line_whole;
}

static bool is_jsonl(const struct rec_sniff *s)
{
    (void)s;
    return true;
}

const struct rec_reader rec_readers[] = {
    {"admin-api", REC_ADMIN_API, false, is_admin_api},
    {"json-array", REC_JSON_ARRAY, false, is_json_array},
    {"json-stream", REC_JSON_STREAM, false, is_json_stream},
    {"jsonl", REC_JSONL, true, is_jsonl},
};

const size_t rec_reader_count = sizeof rec_readers / sizeof rec_readers[0];

const char *rec_format_name(enum rec_format f)
{
    for (size_t k = 0; k < rec_reader_count; k++)
        if (rec_readers[k].format == f)
            return rec_readers[k].name;
    return "jsonl";
}
