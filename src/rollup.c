#include "rollup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "msg.h"
#include "prices.h"
#include "records.h"
#include "strbuf.h"
#include "tags.h"

/* The query is one text built from the same clauses for every engine; only the expressions an
 * engine spells differently come from its dialect below. Every regular expression avoids
 * backslashes, so it means the same in DuckDB's RE2, BigQuery's RE2 and Spark's Java regex. */
struct dialect {
    const char *name;
    const char *source;   /* FROM the raw lines: columns j, file, seq; %s the input */
    const char *order;    /* which copy of a request id is the first */
    const char *parse;    /* @1 the JSON paths as a list: the columns of `parsed` */
    const char *once;     /* how a CTE is computed once rather than inlined into each use */
    const char *type;     /* @1 a JSON path, @2 its number: the value's type, normalized */
    const char *text;     /* @1 a JSON path, @2 its number: the value as text */
    const char *matches;  /* %s text, %s regex */
    const char *replace;  /* %s text, %s regex, %s replacement (\1 written as {1}) */
    const char *backref;  /* how a replacement names group 1 ("\\1", "$1") */
    const char *bytes;    /* %s: length in bytes */
    const char *decimal;  /* %s: text to an exact integer, NULL when it is none */
    const char *bigint;   /* %s: text to a 64-bit integer */
    const char *date;     /* %s: "YYYY-MM-DD" to a date, NULL when it is none */
    const char *add_days; /* %s date, %s days */
    const char *format;   /* %s date: "YYYY-MM-DD" */
    const char *cache;    /* %s 5-minute, %s 1-hour sums: the cache_creation object */
    const char *head;     /* before the query; %s the output */
    const char *tail;     /* after it */
};

/* DuckDB's json_type names, normalized so the checks read the same in every engine. */
#define DUCK_TYPE                                                                                  \
    "CASE ty[@2] WHEN 'VARCHAR' THEN 'string' WHEN 'BIGINT' THEN 'integer' "                       \
    "WHEN 'UBIGINT' THEN 'integer' WHEN 'DOUBLE' THEN 'number' WHEN 'BOOLEAN' THEN 'boolean' "     \
    "WHEN 'OBJECT' THEN 'object' WHEN 'ARRAY' THEN 'array' WHEN 'NULL' THEN 'null' END"
#define BQ_TYPE                                                                                    \
    "CASE JSON_TYPE(JSON_QUERY(j, '$@1')) WHEN 'number' THEN "                                     \
    "IF(REGEXP_CONTAINS(TO_JSON_STRING(JSON_QUERY(j, '$@1')), '^-?[0-9]+$'), 'integer', "          \
    "'number') ELSE JSON_TYPE(JSON_QUERY(j, '$@1')) END"
/* Spark's get_json_object gives text only: the type is read off the text ("5" and 5 alike). */
#define SPARK_TYPE                                                                                 \
    "CASE WHEN get_json_object(j, '$@1') IS NULL THEN NULL "                                       \
    "WHEN left(get_json_object(j, '$@1'), 1) = '{' THEN 'object' "                                 \
    "WHEN left(get_json_object(j, '$@1'), 1) = '[' THEN 'array' "                                  \
    "WHEN get_json_object(j, '$@1') IN ('true', 'false') THEN 'boolean' "                          \
    "WHEN get_json_object(j, '$@1') RLIKE '^-?[0-9]+$' THEN 'integer' ELSE 'string' END"

static const struct dialect DIALECTS[] = {
    [ROLLUP_DUCKDB] = {"duckdb",
                       "read_json_objects('@1', format = 'auto', ignore_errors = true, "
                       "filename = true) WITH ORDINALITY",
                       "seq", "json_type(j, [@1]) AS ty, json_extract_string(j, [@1]) AS tx",
                       " MATERIALIZED", DUCK_TYPE, "tx[@2]", "regexp_matches(@1, '@2')",
                       "regexp_replace(@1, '@2', '@3', 'g')", "\\1", "strlen(@1)",
                       "TRY_CAST(@1 AS DECIMAL(38, 0))", "CAST(@1 AS BIGINT)",
                       "TRY_CAST(@1 AS DATE)", "(@1 + CAST(@2 AS INTEGER))",
                       "strftime(@1, '%Y-%m-%d')",
                       "{'ephemeral_5m_input_tokens': @1, 'ephemeral_1h_input_tokens': @2}",
                       "COPY (\n", ") TO '@1' (FORMAT JSON);\n"},
    [ROLLUP_SPARK] = {"spark", "text.`@1`", "file, seq", "j", "", SPARK_TYPE,
                      "get_json_object(j, '$@1')", "(@1 RLIKE '@2')",
                      "regexp_replace(@1, '@2', '@3')", "$1", "octet_length(@1)",
                      "try_cast(@1 AS DECIMAL(38, 0))", "CAST(@1 AS BIGINT)",
                      "try_cast(@1 AS DATE)", "date_add(@1, @2)", "date_format(@1, 'yyyy-MM-dd')",
                      "named_struct('ephemeral_5m_input_tokens', @1, 'ephemeral_1h_input_tokens', "
                      "@2)",
                      "INSERT OVERWRITE DIRECTORY '@1' USING json\n", ";\n"},
    [ROLLUP_BIGQUERY] = {"bigquery", "`@1`", "file, seq", "j", "", BQ_TYPE, "JSON_VALUE(j, '$@1')",
                         "REGEXP_CONTAINS(@1, '@2')", "REGEXP_REPLACE(@1, '@2', '@3')", "\\\\1",
                         "BYTE_LENGTH(@1)", "SAFE_CAST(@1 AS BIGNUMERIC)", "CAST(@1 AS INT64)",
                         "SAFE_CAST(@1 AS DATE)", "DATE_ADD(@1, INTERVAL @2 DAY)",
                         "FORMAT_DATE('%Y-%m-%d', @1)",
                         "STRUCT(@1 AS ephemeral_5m_input_tokens, @2 AS ephemeral_1h_input_tokens)",
                         "EXPORT DATA OPTIONS (uri = '@1', format = 'JSON', overwrite = true) AS\n",
                         ";\n"},
};

/* The raw line and where it came from, per engine (file order, then line order). */
static const char *const SOURCE_COLUMNS[] = {
    [ROLLUP_DUCKDB] = "json AS j, filename AS file, ordinality AS seq",
    [ROLLUP_SPARK] = "value AS j, input_file_name() AS file, monotonically_increasing_id() AS seq",
    [ROLLUP_BIGQUERY] =
        "SAFE.PARSE_JSON(line) AS j, _FILE_NAME AS file, CAST(NULL AS INT64) AS seq",
};

/* Counts: at the top level or inside "usage" (SPEC §2.1). */
static const char *const COUNTS[] = {"input_tokens",
                                     "output_tokens",
                                     "cache_read_input_tokens",
                                     "cache_creation_input_tokens",
                                     "web_search_requests",
                                     "requests",
                                     "skill_invocations",
                                     "mcp_operations",
                                     "cache_creation.ephemeral_5m_input_tokens",
                                     "cache_creation.ephemeral_1h_input_tokens",
                                     "server_tool_use.web_search_requests"};
static const char *const CONTAINERS[] = {"usage",
                                         "tags",
                                         "metadata",
                                         "cache_creation",
                                         "server_tool_use",
                                         "usage.cache_creation",
                                         "usage.server_tool_use"};
static const char *const STRINGS[] = {"request_id", "timestamp", "date", "model"};
static const char *const BOOLS[] = {"batch", "long_prompt"};
struct modifier {
    const char *name, *values;
};
static const struct modifier MODIFIERS[] = {{"service_tier", "'standard', 'batch'"},
                                            {"speed", "'standard', 'fast'"},
                                            {"inference_geo", "'global', 'us', 'not_available'"}};

#define N(a)      (sizeof(a) / sizeof((a)[0]))
#define COUNT_MAX "1000000000000" /* the tool's limit, 10^12 */
#define TS_RE                                                                                      \
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt "                                                              \
    "][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?([Zz]|[-+][0-9]{2}:[0-9]"                              \
    "{2})$"
#define DATE_RE "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"

/* A JSON path's column name: "usage.cache_creation" -> "usage__cache_creation". */
static void col(struct strbuf *b, const char *prefix, const char *path)
{
    strbuf_puts(b, prefix);
    for (const char *p = path; *p; p++)
        if (*p == '.')
            strbuf_puts(b, "__");
        else
            strbuf_putc(b, *p);
}

/* Appends a template with its arguments: @1 .. @9 stand for args[0] .. args[8] (a NULL-ended
 * array); every other byte is copied. */
static void tpl(struct strbuf *b, const char *fmt, const char *const *args)
{
    for (const char *p = fmt; *p; p++) {
        if (p[0] == '@' && p[1] >= '1' && p[1] <= '9') {
            int k = p[1] - '1';
            for (int i = 0; i <= k; i++)
                if (!args[i])
                    goto literal;
            strbuf_puts(b, args[k]);
            p++;
            continue;
        }
    literal:
        strbuf_putc(b, *p);
    }
}

#define PUT(b, fmt, ...) tpl(b, fmt, (const char *const[]){__VA_ARGS__, NULL})

/* The text of a SQL expression built by one dialect template (a new string, freed by caller). */
static char *expr1(const char *fmt, const char *a)
{
    struct strbuf b = STRBUF_INIT;
    PUT(&b, fmt, a);
    return strbuf_detach(&b);
}

static char *expr3(const char *fmt, const char *a, const char *a2, const char *a3)
{
    struct strbuf b = STRBUF_INIT;
    PUT(&b, fmt, a, a2, a3);
    return strbuf_detach(&b);
}

/* One field of `fields`: its type and its text. */
static void field(struct strbuf *b, const struct dialect *d, const char *path, size_t idx)
{
    char jp[80], num[24];
    snprintf(jp, sizeof jp, "%s%.64s", path[0] ? "." : "", path);
    snprintf(num, sizeof num, "%zu", idx + 1);
    strbuf_puts(b, ",\n    ");
    PUT(b, d->type, jp, num);
    strbuf_puts(b, " AS ");
    col(b, "t_", path[0] ? path : "root");
    if (!path[0])
        return;
    strbuf_puts(b, ",\n    ");
    PUT(b, d->text, jp, num);
    strbuf_puts(b, " AS ");
    col(b, "v_", path);
}

/* "t_x IS NULL OR t_x = 'null'": the field is absent, which the tool treats alike. */
static void absent(struct strbuf *b, const char *path)
{
    strbuf_puts(b, "(");
    col(b, "t_", path);
    strbuf_puts(b, " IS NULL OR ");
    col(b, "t_", path);
    strbuf_puts(b, " = 'null'");
}

/* The first of the paths that holds an integer, as text (NULL when none does). */
static void pick_int(struct strbuf *b, const char *const *paths, size_t n)
{
    strbuf_puts(b, "CASE");
    for (size_t i = 0; i < n; i++) {
        strbuf_puts(b, " WHEN ");
        col(b, "t_", paths[i]);
        strbuf_puts(b, " = 'integer' THEN ");
        col(b, "v_", paths[i]);
    }
    strbuf_puts(b, " END");
}

/* A count as a BIGINT, 0 when absent: the top level, else "usage". */
static void count_value(struct strbuf *b, const struct dialect *d, const char *name)
{
    char u[96];
    snprintf(u, sizeof u, "usage.%s", name);
    const char *paths[] = {name, u};
    struct strbuf in = STRBUF_INIT;
    pick_int(&in, paths, 2);
    strbuf_puts(b, "coalesce(");
    PUT(b, d->bigint, strbuf_cstr(&in));
    strbuf_puts(b, ", 0)");
    strbuf_free(&in);
}

/* The canonical spelling of a model id as the channels write it (SPEC §3), for the long-prompt
 * thresholds only: [1m], Bedrock's profile and version, OpenRouter's prefix and dots, Vertex's
 * @date and a trailing -YYYYMMDD. */
static void canon_model(struct strbuf *b, const struct dialect *d)
{
    char br2[64];
    snprintf(br2, sizeof br2, "%s-%s", d->backref, d->backref);
    br2[strlen(br2) - 1] = '2'; /* the second group */
    char *e = strdup("replace(model, '[1m]', '')");
    char *n = expr3(d->replace, e, "^((us|eu|apac|global)[.])?anthropic[./]", "");
    free(e);
    e = expr3(d->replace, n, "-v[0-9]+(:[0-9]+)?$", "");
    free(n);
    n = expr3(d->replace, e, "[-@][0-9]{8}$", "");
    free(e);
    e = expr3(d->replace, n, "([0-9])[.]([0-9])", br2);
    free(n);
    strbuf_puts(b, e);
    free(e);
}

/* The long-prompt threshold of a model on a day, from the price book: a CASE over the models
 * with a band, newest effective date first; NULL for a model without one. */
static void threshold(struct strbuf *b, const struct dialect *d, const struct price_book *pb)
{
    size_t n = pb ? price_book_count(pb) : 0;
    bool any = false;
    for (size_t i = 0; i < n; i++)
        any |= price_book_entry(pb, i)->long_above > 0;
    if (!any) {
        strbuf_puts(b, "CAST(NULL AS BIGINT)");
        return;
    }
    strbuf_puts(b, "CASE ");
    canon_model(b, d);
    strbuf_puts(b, "\n");
    /* entries are sorted by model, then effective date: walk each model's block backwards */
    for (size_t i = 0; i < n;) {
        size_t j = i;
        bool banded = false;
        while (j < n && strcmp(price_book_entry(pb, j)->model, price_book_entry(pb, i)->model) == 0)
            banded |= price_book_entry(pb, j++)->long_above > 0;
        for (size_t k = j; banded && k-- > i;) {
            const struct price_entry *e = price_book_entry(pb, k);
            strbuf_printf(b, "        WHEN '%s' THEN CASE WHEN ", e->model);
            if (e->effective_from[0])
                strbuf_printf(b, "day >= DATE '%s'", e->effective_from);
            else
                strbuf_puts(b, "TRUE");
            if (e->long_above > 0)
                strbuf_printf(b, " THEN %lld END\n", (long long)e->long_above);
            else
                strbuf_puts(b, " THEN NULL END\n");
        }
        i = j;
    }
    strbuf_puts(b, "      END");
}

/* A string literal's text: quotes doubled (DuckDB, Spark and BigQuery all read '' as '). */
static char *quoted(const char *s)
{
    struct strbuf b = STRBUF_INIT;
    for (; *s; s++) {
        if (*s == '\'')
            strbuf_putc(&b, '\'');
        strbuf_putc(&b, *s);
    }
    return strbuf_detach(&b);
}

char *rollup_sql(enum rollup_engine engine, const char *input, const char *output,
                 const struct price_book *pb)
{
    const struct dialect *d = &DIALECTS[engine];
    char *in = quoted(input), *out = quoted(output);
    struct strbuf b = STRBUF_INIT;
    strbuf_printf(&b,
                  "-- chargeback rollup-sql --engine %s: raw native usage records -> one row per\n"
                  "-- day x tags x model x pricing variant with \"requests\" (SPEC 2.4).\n"
                  "-- Render the result with chargeback like the raw logs: the invoices are the "
                  "same.\n",
                  d->name);
    PUT(&b, d->head, out);

    /* src: one raw record per row, in input order */
    strbuf_puts(&b, "WITH src AS (\n  SELECT ");
    strbuf_puts(&b, SOURCE_COLUMNS[engine]);
    strbuf_puts(&b, "\n  FROM ");
    PUT(&b, d->source, in);
    strbuf_puts(&b, "\n),\n");

    /* parsed, fields: the type and text of every field the tool reads */
    char paths[160][64];
    size_t np = 0;
#define ADD(...) snprintf(paths[np++], sizeof paths[0], __VA_ARGS__)
    ADD("%s", "");
    for (size_t i = 0; i < N(COUNTS); i++) {
        ADD("%s", COUNTS[i]);
        ADD("usage.%s", COUNTS[i]);
    }
    for (size_t i = 0; i < N(CONTAINERS); i++)
        ADD("%s", CONTAINERS[i]);
    for (size_t i = 0; i < N(STRINGS); i++)
        ADD("%s", STRINGS[i]);
    for (size_t i = 0; i < N(BOOLS); i++)
        ADD("%s", BOOLS[i]);
    for (size_t i = 0; i < N(MODIFIERS); i++) {
        ADD("%s", MODIFIERS[i].name);
        ADD("usage.%s", MODIFIERS[i].name);
    }
    for (int t = 0; t < TAG_COUNT; t++) {
        ADD("%s", tag_name((enum tag)t));
        ADD("tags.%s", tag_name((enum tag)t));
        ADD("metadata.%s", tag_name((enum tag)t));
    }
#undef ADD
    struct strbuf list = STRBUF_INIT;
    for (size_t i = 0; i < np; i++)
        strbuf_printf(&list, "%s'$%s%s'", i ? ", " : "", paths[i][0] ? "." : "", paths[i]);
    strbuf_printf(&b, "parsed AS%s (\n  SELECT file, seq, ", d->once);
    PUT(&b, d->parse, strbuf_cstr(&list));
    strbuf_puts(&b, "\n  FROM src\n),\n");
    strbuf_free(&list);
    strbuf_printf(&b, "fields AS%s (\n  SELECT file, seq", d->once);
    for (size_t i = 0; i < np; i++)
        field(&b, d, paths[i], i);
    strbuf_puts(&b, "\n  FROM parsed\n),\n");

    /* checked: what the tool would accept (ok), and each value as the tool reads it */
    strbuf_printf(&b, "checked AS%s (\n  SELECT *,\n    t_root = 'object'", d->once);
    for (size_t i = 0; i < N(COUNTS); i++)
        for (int u = 0; u < 2; u++) {
            char p[96];
            snprintf(p, sizeof p, "%s%s", u ? "usage." : "", COUNTS[i]);
            strbuf_puts(&b, "\n    AND ");
            absent(&b, p);
            strbuf_puts(&b, " OR (");
            col(&b, "t_", p);
            strbuf_puts(&b, " = 'integer' AND ");
            struct strbuf cn = STRBUF_INIT;
            col(&cn, "v_", p);
            PUT(&b, d->decimal, strbuf_cstr(&cn));
            strbuf_free(&cn);
            strbuf_printf(&b, " BETWEEN %d AND " COUNT_MAX "))",
                          strcmp(COUNTS[i], "requests") == 0 ? 1 : 0);
        }
    /* input and output tokens are required: an integer at one place, null at none */
    for (int k = 0; k < 2; k++) {
        const char *f = k ? "output_tokens" : "input_tokens";
        PUT(&b,
            "\n    AND (t_@1 = 'integer' OR t_usage__@1 = 'integer')"
            " AND coalesce(t_@1, '') <> 'null' AND coalesce(t_usage__@1, '') <> "
            "'null'",
            f);
    }
    for (size_t i = 0; i < N(CONTAINERS); i++) {
        strbuf_puts(&b, "\n    AND ");
        absent(&b, CONTAINERS[i]);
        strbuf_puts(&b, " OR ");
        col(&b, "t_", CONTAINERS[i]);
        strbuf_puts(&b, " = 'object')");
    }
    for (size_t i = 0; i < N(BOOLS); i++) {
        strbuf_puts(&b, "\n    AND ");
        absent(&b, BOOLS[i]);
        strbuf_printf(&b, " OR t_%s = 'boolean')", BOOLS[i]);
    }
    for (size_t i = 0; i < N(MODIFIERS); i++)
        for (int u = 0; u < 2; u++) {
            char p[96];
            snprintf(p, sizeof p, "%s%s", u ? "usage." : "", MODIFIERS[i].name);
            strbuf_puts(&b, "\n    AND ");
            absent(&b, p);
            strbuf_puts(&b, " OR (");
            col(&b, "t_", p);
            strbuf_puts(&b, " = 'string' AND ");
            col(&b, "v_", p);
            strbuf_printf(&b, " IN (%s)))", MODIFIERS[i].values);
        }
    /* strings (tags at every level too): text of at most REC_STRING_MAX bytes */
    for (size_t i = 0; i < N(STRINGS) + 3 * TAG_COUNT; i++) {
        char p[96];
        if (i < N(STRINGS))
            snprintf(p, sizeof p, "%s", STRINGS[i]);
        else {
            size_t t = (i - N(STRINGS)) / 3, lvl = (i - N(STRINGS)) % 3;
            snprintf(p, sizeof p, "%s%s",
                     lvl == 0   ? ""
                     : lvl == 1 ? "tags."
                                : "metadata.",
                     tag_name((enum tag)t));
        }
        struct strbuf cn = STRBUF_INIT;
        col(&cn, "v_", p);
        strbuf_puts(&b, "\n    AND ");
        absent(&b, p);
        strbuf_puts(&b, " OR (");
        col(&b, "t_", p);
        strbuf_puts(&b, " = 'string' AND ");
        PUT(&b, d->bytes, strbuf_cstr(&cn));
        strbuf_printf(&b, " <= %d))", REC_STRING_MAX);
        strbuf_free(&cn);
    }
    strbuf_puts(&b, "\n    AND t_model = 'string'\n    AND CASE WHEN t_timestamp = 'string' THEN ");
    PUT(&b, d->bytes, "v_timestamp");
    strbuf_puts(&b, " <= 64 AND ");
    PUT(&b, d->matches, "v_timestamp", TS_RE);
    strbuf_puts(&b, "\n      ELSE t_date = 'string' AND ");
    PUT(&b, d->matches, "v_date", DATE_RE);
    strbuf_puts(&b, " END AS ok,\n    ");
    /* the day: the timestamp's date moved by its offset to UTC (as the tool reads it) */
    char *d_ts = expr1(d->date, "substr(v_timestamp, 1, 10)");
    char *d_date = expr1(d->date, "v_date");
    strbuf_printf(&b, "CASE WHEN t_timestamp = 'string' THEN %s ELSE %s END AS day0,\n    ", d_ts,
                  d_date);
    free(d_ts);
    free(d_date);
    char *hh = expr1(d->bigint, "substr(v_timestamp, 12, 2)");
    char *mm = expr1(d->bigint, "substr(v_timestamp, 15, 2)");
    char *ss = expr1(d->bigint, "substr(v_timestamp, 18, 2)");
    char *oh = expr1(d->bigint, "substr(v_timestamp, -5, 2)");
    char *om = expr1(d->bigint, "substr(v_timestamp, -2, 2)");
    char *has_off = expr3(d->matches, "v_timestamp", "[-+][0-9]{2}:[0-9]{2}$", NULL);
    PUT(&b,
        "CASE WHEN t_timestamp <> 'string' THEN 0\n"
        "      WHEN @1 > 23 OR @2 > 59 OR @3 > 60 THEN NULL\n"
        "      WHEN @6 AND (@4 > 23 OR @5 > 59) THEN NULL\n"
        "      ELSE @1 * 60 + @2 - CASE WHEN @6 THEN"
        " CASE WHEN substr(v_timestamp, -6, 1) = '-' THEN -1 ELSE 1 END * (@4 * 60 + "
        "@5) ELSE 0 END END AS utc_minutes",
        hh, mm, ss, oh, om, has_off);
    free(hh);
    free(mm);
    free(ss);
    free(oh);
    free(om);
    free(has_off);
    strbuf_puts(&b, "\n  FROM fields\n),\n");

    /* recs: the accepted records as the tool reads them */
    strbuf_printf(&b, "recs AS%s (\n  SELECT file, seq, v_request_id AS request_id,\n    ",
                  d->once);
    char *shift = expr3(d->add_days, "day0",
                        "CASE WHEN utc_minutes < 0 THEN -1 WHEN utc_minutes >= 1440 THEN 1 ELSE 0 "
                        "END",
                        NULL);
    strbuf_printf(&b, "%s AS day,\n    v_model AS model", shift);
    free(shift);
    for (int t = 0; t < TAG_COUNT; t++) {
        const char *tn = tag_name((enum tag)t);
        /* the top level wins over "tags", which wins over "metadata"; empty means absent */
        PUT(&b,
            ",\n    CASE WHEN t_@1 = 'string' AND v_@1 <> '' THEN v_@1"
            " WHEN t_tags__@1 = 'string' AND v_tags__@1 <> '' THEN v_tags__@1"
            " WHEN t_metadata__@1 = 'string' AND v_metadata__@1 <> '' THEN "
            "v_metadata__@1 END AS @1",
            tn);
    }
    strbuf_puts(
        &b,
        ",\n    coalesce(t_batch = 'boolean' AND v_batch = 'true', FALSE) OR coalesce(CASE WHEN "
        "t_service_tier = 'string' THEN v_service_tier ELSE v_usage__service_tier "
        "END, '') = 'batch' AS batch");
    strbuf_puts(&b, ",\n    coalesce(CASE WHEN t_speed = 'string' THEN v_speed ELSE v_usage__speed "
                    "END, 'standard') AS speed");
    strbuf_puts(&b, ",\n    coalesce(CASE WHEN t_inference_geo = 'string' THEN v_inference_geo "
                    "ELSE v_usage__inference_geo END, 'global') AS inference_geo");
    strbuf_puts(&b,
                ",\n    coalesce(t_long_prompt = 'boolean' AND v_long_prompt = 'true', FALSE) AS "
                "long_flag");
    static const char *const PLAIN[] = {"requests",          "input_tokens",
                                        "output_tokens",     "cache_read_input_tokens",
                                        "skill_invocations", "mcp_operations"};
    for (size_t i = 0; i < N(PLAIN); i++) {
        strbuf_puts(&b, ",\n    ");
        if (strcmp(PLAIN[i], "requests") == 0) {
            struct strbuf r = STRBUF_INIT;
            const char *req[] = {"requests", "usage.requests"};
            pick_int(&r, req, 2);
            strbuf_puts(&b, "coalesce(");
            PUT(&b, d->bigint, strbuf_cstr(&r));
            strbuf_puts(&b, ", 1)");
            strbuf_free(&r);
        } else
            count_value(&b, d, PLAIN[i]);
        strbuf_printf(&b, " AS %s", PLAIN[i]);
    }
    {
        const char *web[] = {"web_search_requests", "usage.web_search_requests",
                             "server_tool_use.web_search_requests",
                             "usage.server_tool_use.web_search_requests"};
        const char *e5[] = {"cache_creation.ephemeral_5m_input_tokens",
                            "usage.cache_creation.ephemeral_5m_input_tokens"};
        const char *e1[] = {"cache_creation.ephemeral_1h_input_tokens",
                            "usage.cache_creation.ephemeral_1h_input_tokens"};
        struct strbuf x = STRBUF_INIT;
        pick_int(&x, web, 4);
        strbuf_puts(&b, ",\n    coalesce(");
        PUT(&b, d->bigint, strbuf_cstr(&x));
        strbuf_puts(&b, ", 0) AS web_search_requests");
        strbuf_reset(&x);
        pick_int(&x, e5, 2);
        strbuf_puts(&b, ",\n    ");
        PUT(&b, d->bigint, strbuf_cstr(&x));
        strbuf_puts(&b, " AS split_5m");
        strbuf_reset(&x);
        pick_int(&x, e1, 2);
        strbuf_puts(&b, ",\n    ");
        PUT(&b, d->bigint, strbuf_cstr(&x));
        strbuf_puts(&b, " AS split_1h,\n    ");
        count_value(&b, d, "cache_creation_input_tokens");
        strbuf_puts(&b, " AS cache_total");
        strbuf_free(&x);
    }
    strbuf_puts(&b, "\n  FROM checked\n  WHERE ok\n),\n");

    /* kept: the first copy of each request id in input order (rejected copies never count) */
    strbuf_printf(&b,
                  "kept AS (\n  SELECT * FROM (\n    SELECT *, CASE WHEN request_id IS NULL "
                  "THEN 1 ELSE ROW_NUMBER() OVER (PARTITION BY request_id ORDER BY %s) END AS "
                  "copy\n    FROM recs\n  ) AS numbered\n  WHERE copy = 1\n),\n",
                  d->order);

    /* priced: the cache writes split as the tool splits them, and the long-prompt band */
    strbuf_puts(&b, "priced AS (\n  SELECT *,\n    CASE WHEN split_5m IS NULL AND split_1h IS NULL "
                    "THEN cache_total\n      ELSE coalesce(split_5m, 0) + GREATEST(cache_total - "
                    "coalesce(split_5m, 0) - coalesce(split_1h, 0), 0) END AS cache_5m,\n    "
                    "coalesce(split_1h, 0) AS cache_1h,\n    ");
    strbuf_puts(&b, "long_flag OR (requests = 1 AND coalesce(input_tokens + "
                    "cache_read_input_tokens + CASE WHEN split_5m IS NULL AND split_1h IS NULL "
                    "THEN cache_total ELSE GREATEST(cache_total, coalesce(split_5m, 0) + "
                    "coalesce(split_1h, 0)) END > ");
    strbuf_puts(&b, "\n      ");
    threshold(&b, d, pb);
    strbuf_puts(&b, ", FALSE)) AS long_prompt\n  FROM kept\n),\n");

    /* rolled: one row per day x tags x model x pricing variant */
    strbuf_puts(&b, "rolled AS (\n  SELECT ");
    PUT(&b, d->format, "day");
    strbuf_puts(&b, " AS date, model");
    for (int t = 0; t < TAG_COUNT; t++)
        strbuf_printf(&b, ", %s", tag_name((enum tag)t));
    strbuf_puts(&b, ", batch, speed, inference_geo, long_prompt,\n    sum(requests) AS requests, "
                    "sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,\n    "
                    "sum(cache_read_input_tokens) AS cache_read_input_tokens,\n    ");
    PUT(&b, d->cache, "sum(cache_5m)", "sum(cache_1h)");
    strbuf_puts(&b, " AS cache_creation,\n    sum(web_search_requests) AS web_search_requests, "
                    "sum(skill_invocations) AS skill_invocations,\n    sum(mcp_operations) AS "
                    "mcp_operations\n  FROM priced\n  GROUP BY day, model");
    for (int t = 0; t < TAG_COUNT; t++)
        strbuf_printf(&b, ", %s", tag_name((enum tag)t));
    strbuf_puts(&b, ", batch, speed, inference_geo, long_prompt\n)\n");
    strbuf_puts(&b, "SELECT * FROM rolled\nORDER BY date, model");
    for (int t = 0; t < TAG_COUNT; t++)
        strbuf_printf(&b, ", %s", tag_name((enum tag)t));
    strbuf_puts(&b, ", batch, speed, inference_geo, long_prompt\n");
    PUT(&b, d->tail, out);
    free(in);
    free(out);
    return strbuf_detach(&b);
}

bool rollup_engine_parse(const char *name, enum rollup_engine *out)
{
    for (size_t i = 0; i < N(DIALECTS); i++)
        if (name && strcmp(name, DIALECTS[i].name) == 0) {
            *out = (enum rollup_engine)i;
            return true;
        }
    return false;
}

enum cb_status rollup_sql_command(const struct cli_opts *o)
{
    struct cb_error err;
    cb_error_clear(&err);
    enum cb_status st = CB_OK;
    struct price_book *pb = price_book_new_builtin();
    char *sql = NULL;
    if (o->prices && (st = price_book_merge_file(pb, o->prices, &err)) != CB_OK) {
        msg_error_at(&err);
        goto cleanup;
    }
    sql = rollup_sql(o->engine, o->rollup_input, o->rollup_output, pb);
    if (fputs(sql, stdout) == EOF || fflush(stdout) != 0) {
        msg_error("rollup-sql: cannot write the query to standard output");
        st = CB_EIO;
    }
cleanup:
    free(sql);
    price_book_free(pb);
    return st;
}
