/* gen-usage: a deterministic generator of months of tagged Claude API usage (SPEC §2.1), in the
 * shape a logging middleware writes them, for the sample month, the tests and the benchmarks.
 *
 * The same options and seed give the same bytes on every machine: one xoshiro256** stream seeded
 * through splitmix64, no libm (log-normal token counts come from an Irwin-Hall normal and a
 * polynomial 2^x), no clock, no locale. Output is buffered and formatted by hand, so a 10M-record
 * month is bounded by the disk, not by printf.
 *
 * It is a standalone tool (libc only, not linked with cbcore), so it prints its own diagnostics.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"

#define MAX_MODELS      256
#define MAX_LINE        4096
#define DUP_RING        32
#define MINUTES_PER_DAY 1440

/* ---- random numbers ---------------------------------------------------------------------- */

struct rng {
    uint64_t s[4];
};

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* xoshiro256** 1.0 (Blackman and Vigna). */
static uint64_t rng_next(struct rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Uniform in [0, 1). */
static double rng_unit(struct rng *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* Uniform in [0, n) for n < 2^32. */
static uint32_t rng_below(struct rng *r, uint32_t n)
{
    return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

static bool rng_chance(struct rng *r, double p)
{
    return p > 0 && rng_unit(r) < p;
}

/* Approximately standard normal: Irwin-Hall sum of four uniforms, scaled (tails end at 3.46). */
static double rng_normal(struct rng *r)
{
    double s = rng_unit(r) + rng_unit(r) + rng_unit(r) + rng_unit(r);
    return (s - 2.0) * 1.7320508075688772;
}

/* 2^x without libm: 2^floor(x) by doubling, 2^frac by its Taylor series (error < 1e-9). */
static double exp2_approx(double x)
{
    if (x > 60)
        x = 60;
    if (x < -60)
        x = -60;
    int n = (int)x;
    if ((double)n > x)
        n--;
    double y = (x - n) * 0.6931471805599453, term = 1, sum = 1;
    for (int k = 1; k < 12; k++) {
        term *= y / k;
        sum += term;
    }
    for (; n > 0; n--)
        sum *= 2;
    for (; n < 0; n++)
        sum /= 2;
    return sum;
}

/* A log-normal count with the given median and spread (sigma in powers of two), clamped. */
static int64_t rng_lognormal(struct rng *r, double median, double sigma2, int64_t lo, int64_t hi)
{
    double v = median * exp2_approx(sigma2 * rng_normal(r));
    if (v < (double)lo)
        return lo;
    if (v > (double)hi)
        return hi;
    return (int64_t)v;
}

/* A stable 64-bit hash of a string (FNV-1a then splitmix), independent of the seed. */
static uint64_t hash_str(const char *s)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3u;
    return splitmix64(&h);
}

/* Index into a cumulative weight table by binary search: the first i with cum[i] > x. */
static size_t pick_cum(const double *cum, size_t n, double x)
{
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cum[mid] > x)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

static size_t pick_weighted(struct rng *r, const double *cum, size_t n)
{
    return pick_cum(cum, n, rng_unit(r) * cum[n - 1]);
}

static const char BASE62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static void base62_fill(char *dst, size_t n, uint64_t (*next)(void *), void *ctx)
{
    uint64_t bits = 0;
    int left = 0;
    for (size_t i = 0; i < n; i++) {
        if (left == 0) {
            bits = next(ctx);
            left = 4;
        }
        dst[i] = BASE62[((bits & 0xffffu) * 62) >> 16];
        bits >>= 16;
        left--;
    }
}

static uint64_t next_rng(void *ctx)
{
    return rng_next(ctx);
}

static uint64_t next_splitmix(void *ctx)
{
    return splitmix64(ctx);
}

/* ---- the world: teams, projects, users, workflows, models --------------------------------- */

enum family { FAM_OPUS, FAM_SONNET, FAM_HAIKU };

struct workflow {
    const char *name;
    double in_median, out_median;
    double cache_p;  /* share of requests that use prompt caching */
    double batch_p;  /* share sent through the Message Batches API */
    double search_p; /* share that run web searches */
    double agent_p;  /* share that call skills and MCP tools */
    double fam[3];   /* opus, sonnet, haiku */
};

static const struct workflow WORKFLOWS[] = {
    {"chat-assist", 1800, 400, 0.50, 0.00, 0.03, 0.10, {0.15, 0.60, 0.25}},
    {"code-review", 9000, 900, 0.60, 0.05, 0.00, 0.30, {0.35, 0.60, 0.05}},
    {"rag-answer", 6000, 450, 0.70, 0.00, 0.05, 0.20, {0.05, 0.70, 0.25}},
    {"ticket-summary", 3000, 250, 0.30, 0.55, 0.00, 0.00, {0.00, 0.30, 0.70}},
    {"classification", 600, 40, 0.20, 0.30, 0.00, 0.00, {0.05, 0.35, 0.60}},
    {"data-extraction", 4500, 900, 0.40, 0.70, 0.00, 0.05, {0.05, 0.55, 0.40}},
    {"research-agent", 15000, 2500, 0.60, 0.00, 0.55, 0.60, {0.50, 0.45, 0.05}},
    {"eval-suite", 2500, 700, 0.50, 0.80, 0.00, 0.00, {0.30, 0.50, 0.20}},
    {"sql-assist", 3500, 300, 0.50, 0.00, 0.00, 0.20, {0.10, 0.70, 0.20}},
    {"reply-draft", 2200, 350, 0.50, 0.00, 0.02, 0.10, {0.00, 0.60, 0.40}},
};
#define N_WORKFLOWS (sizeof WORKFLOWS / sizeof WORKFLOWS[0])

/* The five teams of the sample organization: their share of people and their work. */
struct named_team {
    const char *id;
    double people;
    int workflows[4];
    double wf_weight[4];
    const char *projects[4];
};

static const struct named_team NAMED_TEAMS[] = {
    {"data",
     0.18,
     {8, 5, 4, 2},
     {4, 4, 2, 1},
     {"etl-pipeline", "data-catalog", "sql-copilot", "dbt-docs"}},
    {"product",
     0.20,
     {0, 2, 6, 9},
     {5, 3, 1, 1},
     {"onboarding-copilot", "feature-specs", "ux-research-synth", "release-notes"}},
    {"engineering",
     0.32,
     {1, 0, 2, 7},
     {5, 3, 2, 1},
     {"backend-api", "frontend-app", "code-review-bot", "incident-triage"}},
    {"support",
     0.18,
     {3, 9, 4, 2},
     {4, 5, 3, 1},
     {"ticket-summarizer", "reply-drafts", "kb-search", "escalation-triage"}},
    {"research",
     0.12,
     {6, 7, 0, 2},
     {5, 3, 1, 1},
     {"literature-review", "eval-harness", "market-scan", "benchmarks"}},
};
#define N_NAMED_TEAMS 5

static const char *const FIRST_NAMES[] = {
    "ana",     "bruno",  "chen", "dmitri", "elena",  "farah",  "gabriel", "hana",    "ivan",
    "julia",   "kofi",   "lena", "marco",  "nadia",  "omar",   "priya",   "quentin", "rosa",
    "sven",    "tara",   "umar", "vera",   "wei",    "ximena", "yusuf",   "zoe",     "amir",
    "beatriz", "carlos", "dana", "emil",   "fatima", "george", "ines",    "jonas",   "kira",
    "luca",    "maya",   "noah", "olga",   "pedro",  "rania",  "sofia",   "tomas",   "uma",
    "victor",  "wanda",  "yara", "aiko",   "leo"};
static const char *const LAST_NAMES[] = {
    "silva",    "nguyen",   "mueller",   "kowalski",     "rossi",  "haddad",  "ivanova", "tanaka",
    "okafor",   "garcia",   "schmidt",   "dubois",       "kim",    "petrov",  "jensen",  "costa",
    "novak",    "ali",      "moreau",    "fischer",      "lopez",  "sato",    "mendes",  "weber",
    "horvat",   "yilmaz",   "berg",      "romano",       "singh",  "park",    "nilsson", "ortiz",
    "wagner",   "cohen",    "lindqvist", "papadopoulos", "santos", "kaur",    "murphy",  "duarte",
    "bauer",    "ferreira", "volkov",    "chowdhury",    "meyer",  "adeyemi", "larsen",  "ricci",
    "hoffmann", "zhou"};
#define N_FIRST (sizeof FIRST_NAMES / sizeof FIRST_NAMES[0])
#define N_LAST  (sizeof LAST_NAMES / sizeof LAST_NAMES[0])

static const char *const PROJECT_WORDS[] = {
    "billing",  "search",    "checkout",  "catalog", "insights", "forecast",
    "payments", "identity",  "mobile",    "growth",  "pricing",  "ledger",
    "notify",   "ranking",   "reports",   "audit",   "gateway",  "inventory",
    "partner",  "scheduler", "telemetry", "content", "docs",     "compliance"};
#define N_PROJECT_WORDS (sizeof PROJECT_WORDS / sizeof PROJECT_WORDS[0])

/* Service accounts, in the order of the named teams they work for. */
static const char *const SERVICE_ACCOUNTS[] = {"svc-etl-runner", "svc-nightly-batch", "svc-ci-bot",
                                               "svc-support-triage", "svc-eval-runner"};
#define N_SERVICE (sizeof SERVICE_ACCOUNTS / sizeof SERVICE_ACCOUNTS[0])

/* Model ids of the default mix and their share within their family. */
struct model_choice {
    const char *id;
    enum family fam;
    double weight;
};

static const struct model_choice MODELS_MIXED[] = {
    {"claude-opus-4-7", FAM_OPUS, 0.70},
    {"claude-opus-4-6", FAM_OPUS, 0.30},
    {"claude-sonnet-4-6", FAM_SONNET, 0.65},
    {"claude-sonnet-4-5", FAM_SONNET, 0.20},
    {"claude-sonnet-4-5-20250929", FAM_SONNET, 0.15},
    {"claude-haiku-4-5", FAM_HAIKU, 0.80},
    {"claude-haiku-4-5-20251001", FAM_HAIKU, 0.20},
};
/* The bench preset keeps to the ids the peer script prices. */
static const struct model_choice MODELS_BENCH[] = {
    {"claude-opus-4-7", FAM_OPUS, 1.0},
    {"claude-sonnet-4-6", FAM_SONNET, 1.0},
    {"claude-haiku-4-5", FAM_HAIKU, 1.0},
};

enum shape { SHAPE_FLAT, SHAPE_MIXED };
enum out_format { OUT_JSONL, OUT_ARRAY, OUT_ADMIN };

struct options {
    uint64_t records;
    uint64_t seed;
    int year, month;
    unsigned teams, users, projects;
    const char *models_arg; /* NULL: the default mix */
    double untagged_rate, bad_rate, dup_rate, rule_rate;
    uint64_t bad_lines;
    unsigned outside;
    enum out_format format;
    enum shape shape;
    const char *out;
};

struct team {
    char *id;
    double people;
    int wf[4];
    double wf_cum[4];
    char api_key[2][32];
    char workspace[32];
    size_t *projects; /* indexes into world.projects */
    double *proj_cum;
    size_t n_projects;
};

struct user {
    char *name;
    size_t team;
};

struct model {
    char *id;
    enum family fam;
};

struct world {
    struct team *teams;
    size_t n_teams;
    char **projects;
    size_t n_projects;
    size_t shared_project; /* "platform-rag", used by every team; SIZE_MAX when none */
    struct user *users;
    double *user_cum;
    size_t n_users;
    struct model models[MAX_MODELS];
    size_t n_models;
    double model_cum_fam[3][MAX_MODELS]; /* per family: cumulative weights over all models */
    bool by_family;                      /* the default mixes pick a family per workflow */
    char sandbox_key[32], sandbox_workspace[32];
    /* timestamps: cumulative intensity per minute of the month */
    double *minute_cum;
    size_t n_minutes;
    int days;
    int spike_day;
    size_t spike_team;
};

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fputs("gen-usage: out of memory\n", stderr);
        exit(3);
    }
    return p;
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) {
        fputs("gen-usage: out of memory\n", stderr);
        exit(3);
    }
    return p;
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(xmalloc(n), s, n);
}

static char *fmt_name(const char *a, const char *sep, const char *b, unsigned suffix)
{
    char buf[128];
    if (suffix)
        snprintf(buf, sizeof buf, "%s%s%s%u", a, sep, b, suffix);
    else
        snprintf(buf, sizeof buf, "%s%s%s", a, sep, b);
    return xstrdup(buf);
}

/* Stable API key and workspace ids derived from a name, so a configuration can name them
 * whatever the seed. */
static void make_id(char *dst, const char *prefix, const char *name)
{
    uint64_t h = hash_str(name);
    size_t n = strlen(prefix);
    memcpy(dst, prefix, n);
    base62_fill(dst + n, 22, next_splitmix, &h);
    dst[n + 22] = '\0';
}

/* Requests per UTC hour of a working day: Europe in the morning, the Americas in the afternoon,
 * a floor of scheduled jobs at night. */
static const double HOUR_SHAPE[24] = {0.25, 0.22, 0.20, 0.20, 0.22, 0.30, 0.45, 0.70,
                                      0.95, 1.00, 1.00, 0.95, 0.85, 0.95, 1.00, 1.00,
                                      0.95, 0.85, 0.70, 0.55, 0.45, 0.38, 0.32, 0.28};

static void world_build(struct world *w, const struct options *o, struct rng *r)
{
    memset(w, 0, sizeof *w);
    bool named = o->teams <= N_NAMED_TEAMS;
    w->n_teams = o->teams;
    w->teams = xcalloc(w->n_teams, sizeof *w->teams);

    /* Projects: the named teams' own, else synthetic names; the last one is shared. */
    bool named_projects = named && o->projects <= 4 * o->teams + 1;
    w->n_projects = o->projects;
    w->projects = xcalloc(w->n_projects, sizeof *w->projects);
    size_t *proj_team = xcalloc(w->n_projects, sizeof *proj_team);
    w->shared_project = SIZE_MAX;
    size_t own = w->n_projects;
    if (w->n_projects >= 2 * w->n_teams + 1) {
        w->shared_project = w->n_projects - 1;
        w->projects[w->shared_project] = xstrdup("platform-rag");
        own--;
    }
    for (size_t j = 0; j < own; j++) {
        size_t t = j % w->n_teams, k = j / w->n_teams;
        proj_team[j] = t;
        if (named_projects && k < 4)
            w->projects[j] = xstrdup(NAMED_TEAMS[t].projects[k]);
        else
            w->projects[j] =
                fmt_name(PROJECT_WORDS[j % N_PROJECT_WORDS], "-",
                         j < N_PROJECT_WORDS ? "app" : "svc", (unsigned)(j / N_PROJECT_WORDS));
    }

    for (size_t t = 0; t < w->n_teams; t++) {
        struct team *tm = &w->teams[t];
        if (named) {
            const struct named_team *nt = &NAMED_TEAMS[t];
            tm->id = xstrdup(nt->id);
            tm->people = nt->people;
            double c = 0;
            for (int k = 0; k < 4; k++) {
                tm->wf[k] = nt->workflows[k];
                tm->wf_cum[k] = (c += nt->wf_weight[k]);
            }
        } else {
            char buf[32];
            snprintf(buf, sizeof buf, "team-%04zu", t + 1);
            tm->id = xstrdup(buf);
            /* sizes from 1/(rank + 3): a few large teams, a long tail of small ones */
            tm->people = 1.0 / (double)(rng_below(r, (uint32_t)w->n_teams) + 3);
            static const double wfw[4] = {4, 2, 1, 1};
            double c = 0;
            for (int k = 0; k < 4; k++) {
                tm->wf[k] = (int)((t * 3 + (size_t)k * 7) % N_WORKFLOWS);
                tm->wf_cum[k] = (c += wfw[k]);
            }
        }
        char keyname[64];
        for (int k = 0; k < 2; k++) {
            snprintf(keyname, sizeof keyname, "key:%s:%d", tm->id, k);
            make_id(tm->api_key[k], "apikey_01", keyname);
        }
        snprintf(keyname, sizeof keyname, "workspace:%s", tm->id);
        make_id(tm->workspace, "wrkspc_01", keyname);
    }
    make_id(w->sandbox_key, "apikey_01", "key:sandbox");
    make_id(w->sandbox_workspace, "wrkspc_01", "workspace:sandbox");

    /* Each team's projects, the first ones busiest. */
    for (size_t t = 0; t < w->n_teams; t++) {
        struct team *tm = &w->teams[t];
        tm->projects = xcalloc(own / w->n_teams + 2, sizeof *tm->projects);
        tm->proj_cum = xcalloc(own / w->n_teams + 2, sizeof *tm->proj_cum);
        double c = 0;
        for (size_t j = 0; j < own; j++) {
            if (proj_team[j] != t)
                continue;
            c += 1.0 / (double)(tm->n_projects + 2);
            tm->projects[tm->n_projects] = j;
            tm->proj_cum[tm->n_projects++] = c;
        }
        if (tm->n_projects == 0 && w->n_projects > 0) {
            /* fewer projects than teams: share them round-robin */
            tm->projects[0] = t % w->n_projects;
            tm->proj_cum[0] = 1;
            tm->n_projects = 1;
        }
    }
    free(proj_team);

    /* Users: human names, a few service accounts; each belongs to one team, weighted by the
     * team's people; activity is heavy-tailed (1/(rank + 8)). */
    w->n_users = o->users;
    w->users = xcalloc(w->n_users, sizeof *w->users);
    w->user_cum = xcalloc(w->n_users, sizeof *w->user_cum);
    double *team_cum = xcalloc(w->n_teams, sizeof *team_cum);
    double c = 0;
    for (size_t t = 0; t < w->n_teams; t++)
        team_cum[t] = (c += w->teams[t].people);
    size_t n_service = w->n_users >= 40 ? N_SERVICE : 0;
    c = 0;
    for (size_t i = 0; i < w->n_users; i++) {
        struct user *u = &w->users[i];
        size_t h = i - (i < n_service ? 0 : n_service);
        if (i < n_service) {
            u->name = xstrdup(SERVICE_ACCOUNTS[i]);
        } else {
            size_t f = h % N_FIRST, l = (h / N_FIRST + 17 * f) % N_LAST;
            u->name =
                fmt_name(FIRST_NAMES[f], ".", LAST_NAMES[l], (unsigned)(h / (N_FIRST * N_LAST)));
        }
        u->team = pick_weighted(r, team_cum, w->n_teams);
        if (i < n_service && named)
            u->team = i % w->n_teams;
        /* service accounts run the nightly jobs: busy */
        double act = i < n_service ? 0.08 : 1.0 / (double)(rng_below(r, (uint32_t)w->n_users) + 8);
        w->user_cum[i] = (c += act);
    }
    /* every team has at least one member (as far as there are users) */
    size_t *members = xcalloc(w->n_teams, sizeof *members);
    for (size_t i = 0; i < w->n_users; i++)
        members[w->users[i].team]++;
    for (size_t t = 0; t < w->n_teams && t < w->n_users; t++) {
        if (members[t])
            continue;
        struct user *u = &w->users[w->n_users - 1 - t];
        members[u->team]--;
        u->team = t;
        members[t]++;
    }
    free(members);
    free(team_cum);

    /* Models. */
    if (!o->models_arg || !strcmp(o->models_arg, "bench")) {
        const struct model_choice *mc = o->models_arg ? MODELS_BENCH : MODELS_MIXED;
        size_t n = o->models_arg ? 3 : sizeof MODELS_MIXED / sizeof MODELS_MIXED[0];
        w->by_family = true;
        w->n_models = n;
        double cf[3] = {0, 0, 0};
        for (size_t i = 0; i < n; i++) {
            w->models[i].id = xstrdup(mc[i].id);
            w->models[i].fam = mc[i].fam;
            for (int f = 0; f < 3; f++) {
                if (f == (int)mc[i].fam)
                    cf[f] += mc[i].weight;
                w->model_cum_fam[f][i] = cf[f];
            }
        }
    } else {
        char *end;
        errno = 0;
        unsigned long n = strtoul(o->models_arg, &end, 10);
        if (!*end && !errno && n >= 1 && n <= 99) {
            w->n_models = n;
            for (size_t i = 0; i < n; i++) {
                char buf[32];
                snprintf(buf, sizeof buf, "bench-model-%02zu", i + 1);
                w->models[i].id = xstrdup(buf);
            }
        } else {
            const char *p = o->models_arg;
            while (*p && w->n_models < MAX_MODELS) {
                size_t len = strcspn(p, ",");
                if (len > 0) {
                    char *id = xmalloc(len + 1);
                    memcpy(id, p, len);
                    id[len] = '\0';
                    w->models[w->n_models++].id = id;
                }
                p += len + (p[len] == ',');
            }
        }
        /* a given list: Zipf-like shares in list order, the same for every family */
        double cm = 0;
        for (size_t i = 0; i < w->n_models; i++) {
            cm += 1.0 / (double)(i + 2);
            for (int f = 0; f < 3; f++)
                w->model_cum_fam[f][i] = cm;
        }
    }

    /* Timestamps: intensity per minute = weekday factor x hour shape x a slow growth. */
    w->days = date_days_in_month(o->year, o->month);
    w->n_minutes = (size_t)w->days * MINUTES_PER_DAY;
    w->minute_cum = xmalloc(w->n_minutes * sizeof *w->minute_cum);
    c = 0;
    for (int d = 0; d < w->days; d++) {
        int wd = date_weekday(o->year, o->month, d + 1);
        double day = (wd == 5 ? 0.30 : wd == 6 ? 0.25 : 1.0) * (1.0 + 0.15 * d / w->days);
        for (int m = 0; m < MINUTES_PER_DAY; m++) {
            int h = m / 60;
            double a = HOUR_SHAPE[h], b = HOUR_SHAPE[(h + 1) % 24];
            double x = day * (a + (b - a) * (m % 60) / 60.0);
            w->minute_cum[(size_t)d * MINUTES_PER_DAY + (size_t)m] = (c += x);
        }
    }
    /* One runaway day: the last named team (research) or the last team, tokens x8. */
    w->spike_day = w->days >= 21 ? 21 : w->days;
    w->spike_team = w->n_teams >= N_NAMED_TEAMS ? N_NAMED_TEAMS - 1 : w->n_teams - 1;
}

static void world_free(struct world *w)
{
    for (size_t t = 0; t < w->n_teams; t++) {
        free(w->teams[t].id);
        free(w->teams[t].projects);
        free(w->teams[t].proj_cum);
    }
    free(w->teams);
    for (size_t j = 0; j < w->n_projects; j++)
        free(w->projects[j]);
    free(w->projects);
    for (size_t i = 0; i < w->n_users; i++)
        free(w->users[i].name);
    free(w->users);
    free(w->user_cum);
    for (size_t i = 0; i < w->n_models; i++)
        free(w->models[i].id);
    free(w->minute_cum);
}

/* ---- output buffer ------------------------------------------------------------------------- */

struct out {
    FILE *f;
    char *buf;
    size_t len, cap;
    bool failed;
};

static void out_flush(struct out *o)
{
    if (o->len && fwrite(o->buf, 1, o->len, o->f) != o->len)
        o->failed = true;
    o->len = 0;
}

static void out_write(struct out *o, const char *s, size_t n)
{
    if (o->len + n > o->cap)
        out_flush(o);
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

/* One line under construction (never longer than MAX_LINE: every field is bounded). */
struct line {
    char s[MAX_LINE];
    size_t n;
};

static void put(struct line *l, const char *s)
{
    size_t n = strlen(s);
    memcpy(l->s + l->n, s, n);
    l->n += n;
}

static void put_u64(struct line *l, uint64_t v)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        l->s[l->n++] = tmp[--n];
}

static void put_i64(struct line *l, int64_t v)
{
    if (v < 0) {
        l->s[l->n++] = '-';
        put_u64(l, (uint64_t)0 - (uint64_t)v);
    } else
        put_u64(l, (uint64_t)v);
}

static void put_2(struct line *l, int v)
{
    l->s[l->n++] = (char)('0' + v / 10);
    l->s[l->n++] = (char)('0' + v % 10);
}

/* "key":"value" with a leading comma unless first; values are plain ASCII ids. */
static void put_str_field(struct line *l, bool *first, const char *key, const char *value)
{
    if (!*first)
        l->s[l->n++] = ',';
    *first = false;
    l->s[l->n++] = '"';
    put(l, key);
    put(l, "\":\"");
    put(l, value);
    l->s[l->n++] = '"';
}

static void put_int_field(struct line *l, bool *first, const char *key, int64_t v)
{
    if (!*first)
        l->s[l->n++] = ',';
    *first = false;
    l->s[l->n++] = '"';
    put(l, key);
    put(l, "\":");
    put_i64(l, v);
}

/* ---- one record ---------------------------------------------------------------------------- */

struct record {
    char request_id[29];
    int year, month, day, hour, minute, second, milli;
    const char *model;
    const char *team, *project, *user, *workflow, *environment, *api_key;
    int64_t input, output, cache_read, cache_5m, cache_1h, web_search, skill, mcp;
    bool batch;
};

static void make_timestamp(struct record *rec, const struct world *w, const struct options *o,
                           struct rng *r, uint64_t i, uint64_t n)
{
    double u = ((double)i + rng_unit(r)) / (double)n;
    size_t minute = pick_cum(w->minute_cum, w->n_minutes, u * w->minute_cum[w->n_minutes - 1]);
    rec->year = o->year;
    rec->month = o->month;
    rec->day = (int)(minute / MINUTES_PER_DAY) + 1;
    rec->hour = (int)(minute % MINUTES_PER_DAY) / 60;
    rec->minute = (int)(minute % 60);
    rec->second = (int)rng_below(r, 60);
    rec->milli = (int)rng_below(r, 1000);
}

/* A timestamp just outside the month (late logs of the month before, early ones of the next). */
static void make_outside_timestamp(struct record *rec, const struct options *o, struct rng *r,
                                   bool before)
{
    int y = o->year, m = o->month;
    if (before) {
        m--;
        if (m == 0) {
            m = 12;
            y--;
        }
        rec->day = date_days_in_month(y, m);
        rec->hour = 23;
        rec->minute = 40 + (int)rng_below(r, 20);
    } else {
        m++;
        if (m == 13) {
            m = 1;
            y++;
        }
        rec->day = 1;
        rec->hour = 0;
        rec->minute = (int)rng_below(r, 20);
    }
    rec->year = y;
    rec->month = m;
    rec->second = (int)rng_below(r, 60);
    rec->milli = (int)rng_below(r, 1000);
}

static const char *pick_model(const struct world *w, struct rng *r, const struct workflow *wf)
{
    if (!w->by_family)
        return w->models[pick_weighted(r, w->model_cum_fam[0], w->n_models)].id;
    double x = rng_unit(r) * (wf->fam[0] + wf->fam[1] + wf->fam[2]);
    int f = x < wf->fam[0] ? FAM_OPUS : x < wf->fam[0] + wf->fam[1] ? FAM_SONNET : FAM_HAIKU;
    return w->models[pick_weighted(r, w->model_cum_fam[f], w->n_models)].id;
}

static void make_record(struct record *rec, const struct world *w, const struct options *o,
                        struct rng *r)
{
    base62_fill(rec->request_id + 4, 24, next_rng, r);
    memcpy(rec->request_id, "req_", 4);
    rec->request_id[28] = '\0';

    const struct user *u = &w->users[pick_weighted(r, w->user_cum, w->n_users)];
    const struct team *tm = &w->teams[u->team];
    const struct workflow *wf = &WORKFLOWS[tm->wf[pick_weighted(r, tm->wf_cum, 4)]];
    rec->user = u->name;
    rec->team = tm->id;
    rec->workflow = wf->name;
    rec->api_key = tm->api_key[rng_below(r, 4) == 0];
    if (w->shared_project != SIZE_MAX && rng_chance(r, 0.06))
        rec->project = w->projects[w->shared_project];
    else
        rec->project = w->projects[tm->projects[pick_weighted(r, tm->proj_cum, tm->n_projects)]];
    double e = rng_unit(r);
    rec->environment = e < 0.72 ? "production" : e < 0.86 ? "staging" : "development";
    rec->model = pick_model(w, r, wf);

    rec->input = rng_lognormal(r, wf->in_median, 1.3, 1, 900000);
    rec->output = rng_lognormal(r, wf->out_median, 1.1, 1, 64000);
    if (rng_chance(r, 0.015)) /* a long context now and then */
        rec->input = rec->input * (4 + rng_below(r, 12)) > 900000
                         ? 900000
                         : rec->input * (4 + rng_below(r, 12));
    rec->cache_read = rec->cache_5m = rec->cache_1h = 0;
    if (rng_chance(r, wf->cache_p)) {
        int64_t prefix = rng_lognormal(r, wf->in_median * 1.5, 0.7, 1024, 600000);
        double k = rng_unit(r);
        if (k < 0.80) {
            rec->cache_read = prefix;
        } else {
            bool one_hour = o->shape == SHAPE_MIXED && rng_chance(r, 0.25);
            if (one_hour)
                rec->cache_1h = prefix;
            else
                rec->cache_5m = prefix;
            if (k >= 0.95)
                rec->cache_read = rng_lognormal(r, wf->in_median, 0.7, 1024, 600000);
        }
        rec->input = rec->input / 4 + 1; /* the uncached rest of the prompt */
    }
    rec->batch = rng_chance(r, wf->batch_p);
    rec->web_search = rng_chance(r, wf->search_p) ? 1 + rng_below(r, 8) : 0;
    rec->skill = rec->mcp = 0;
    if (o->shape == SHAPE_MIXED && rng_chance(r, wf->agent_p)) {
        rec->mcp = 1 + rng_below(r, 20);
        if (rng_chance(r, 0.35))
            rec->skill = 1 + rng_below(r, 3);
    }
}

/* Keeps a request within what the API accepts: a prompt (uncached, cached and written) of at most
 * 1M tokens and at most 64k output tokens. */
static void fit_context(struct record *rec)
{
    const int64_t max_prompt = 1000000, max_output = 64000;
    if (rec->output > max_output)
        rec->output = max_output;
    int64_t writes = rec->cache_5m + rec->cache_1h;
    if (writes + rec->cache_read > max_prompt - 1)
        rec->cache_read = max_prompt - 1 - writes;
    if (rec->input + rec->cache_read + writes > max_prompt)
        rec->input = max_prompt - rec->cache_read - writes;
}

enum bad_kind { BAD_NOT_JSON, BAD_NEGATIVE, BAD_UNKNOWN_MODEL, BAD_TIMESTAMP, BAD_STRING_COUNT };
#define N_BAD_KINDS 5

/* Writes one record as a JSON object (no newline). layout: 0 flat, 1 nested tags, 2 nested
 * usage, 3 both, 4 tags in "metadata". untag: 0 tagged, 1 team left to the attribution rules
 * (api key and project kept), 2 no team at all (sandbox key). */
static void format_record(struct line *l, const struct record *rec, int layout, int untag,
                          const char *sandbox_key, bool with_key, int bad)
{
    bool first = true;
    l->n = 0;
    l->s[l->n++] = '{';
    put_str_field(l, &first, "request_id", rec->request_id);
    put(l, ",\"timestamp\":\"");
    if (bad == BAD_TIMESTAMP) {
        put_2(l, rec->day);
        l->s[l->n++] = '/';
        put_2(l, rec->month);
        l->s[l->n++] = '/';
        put_u64(l, (uint64_t)rec->year);
        l->s[l->n++] = ' ';
    } else {
        put_u64(l, (uint64_t)rec->year);
        l->s[l->n++] = '-';
        put_2(l, rec->month);
        l->s[l->n++] = '-';
        put_2(l, rec->day);
        l->s[l->n++] = 'T';
    }
    put_2(l, rec->hour);
    l->s[l->n++] = ':';
    put_2(l, rec->minute);
    l->s[l->n++] = ':';
    put_2(l, rec->second);
    if (bad != BAD_TIMESTAMP) {
        l->s[l->n++] = '.';
        l->s[l->n++] = (char)('0' + rec->milli / 100);
        l->s[l->n++] = (char)('0' + rec->milli / 10 % 10);
        l->s[l->n++] = (char)('0' + rec->milli % 10);
        l->s[l->n++] = 'Z';
    }
    l->s[l->n++] = '"';
    put_str_field(l, &first, "model", bad == BAD_UNKNOWN_MODEL ? "claude-2.1" : rec->model);

    bool nested_tags = layout == 1 || layout == 3 || layout == 4;
    bool nested_usage = layout == 2 || layout == 3;
    bool tfirst = true;
    if (nested_tags)
        put(l, layout == 4 ? ",\"metadata\":{" : ",\"tags\":{");
    bool *tf = nested_tags ? &tfirst : &first;
    if (untag == 0)
        put_str_field(l, tf, "team", rec->team);
    if (untag != 2)
        put_str_field(l, tf, "project", rec->project);
    put_str_field(l, tf, "user", rec->user);
    put_str_field(l, tf, "workflow", rec->workflow);
    put_str_field(l, tf, "environment", rec->environment);
    if (with_key)
        put_str_field(l, tf, "api_key_id", untag == 2 ? sandbox_key : rec->api_key);
    if (nested_tags)
        l->s[l->n++] = '}';

    bool ufirst = true;
    if (nested_usage)
        put(l, ",\"usage\":{");
    bool *uf = nested_usage ? &ufirst : &first;
    if (bad == BAD_STRING_COUNT) {
        if (!*uf)
            l->s[l->n++] = ',';
        *uf = false;
        put(l, "\"input_tokens\":\"");
        put_i64(l, rec->input);
        l->s[l->n++] = '"';
    } else
        put_int_field(l, uf, "input_tokens", rec->input);
    put_int_field(l, uf, "output_tokens", bad == BAD_NEGATIVE ? -rec->output : rec->output);
    put_int_field(l, uf, "cache_read_input_tokens", rec->cache_read);
    put_int_field(l, uf, "cache_creation_input_tokens", rec->cache_5m + rec->cache_1h);
    if (rec->cache_1h || (nested_usage && rec->cache_5m)) {
        put(l, ",\"cache_creation\":{\"ephemeral_5m_input_tokens\":");
        put_i64(l, rec->cache_5m);
        put(l, ",\"ephemeral_1h_input_tokens\":");
        put_i64(l, rec->cache_1h);
        l->s[l->n++] = '}';
    }
    if (nested_usage) {
        put(l, ",\"server_tool_use\":{\"web_search_requests\":");
        put_i64(l, rec->web_search);
        put(l, "},\"service_tier\":\"");
        put(l, rec->batch ? "batch" : "standard");
        put(l, "\"}");
        if (rec->batch)
            put(l, ",\"service_tier\":\"batch\"");
    } else {
        put_int_field(l, &first, "web_search_requests", rec->web_search);
        put(l, rec->batch ? ",\"batch\":true" : ",\"batch\":false");
    }
    if (rec->skill)
        put_int_field(l, &first, "skill_invocations", rec->skill);
    if (rec->mcp)
        put_int_field(l, &first, "mcp_operations", rec->mcp);
    l->s[l->n++] = '}';
    if (bad == BAD_NOT_JSON) /* a writer that died mid-line */
        l->n = l->n * 3 / 5;
}

static void put_base64(struct line *l, const char *s, size_t n)
{
    static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)(unsigned char)s[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)(unsigned char)s[i + 1] << 8;
        if (i + 2 < n)
            v |= (unsigned char)s[i + 2];
        l->s[l->n++] = B64[v >> 18 & 63];
        l->s[l->n++] = B64[v >> 12 & 63];
        l->s[l->n++] = i + 1 < n ? B64[v >> 6 & 63] : '=';
        l->s[l->n++] = i + 2 < n ? B64[v & 63] : '=';
    }
}

/* ---- Admin API usage report (SPEC §2.2) ------------------------------------------------------ */

struct admin_cell {
    int64_t uncached, cache_read, cache_5m, cache_1h, output, web_search;
    bool used;
};

struct admin_agg {
    size_t n_keys, n_models;
    struct admin_cell *cells; /* [day][key][model][batch][long context] */
};

static size_t model_index(const struct world *w, const char *id)
{
    for (size_t i = 0; i < w->n_models; i++)
        if (w->models[i].id == id)
            return i;
    return 0;
}

static void admin_add(struct admin_agg *a, const struct world *w, const struct record *rec,
                      int untag)
{
    size_t key = w->n_teams; /* the sandbox key */
    if (untag != 2)
        for (size_t t = 0; t < w->n_teams; t++)
            if (w->teams[t].id == rec->team)
                key = t;
    size_t m = model_index(w, rec->model);
    /* the report groups by context window too: requests whose prompt passed 200k tokens */
    bool long_ctx = rec->input + rec->cache_read + rec->cache_5m + rec->cache_1h > 200000;
    size_t idx = (((size_t)(rec->day - 1) * a->n_keys + key) * a->n_models + m) * 4 +
                 (size_t)rec->batch * 2 + long_ctx;
    struct admin_cell *c = &a->cells[idx];
    c->used = true;
    c->uncached += rec->input;
    c->cache_read += rec->cache_read;
    c->cache_5m += rec->cache_5m;
    c->cache_1h += rec->cache_1h;
    c->output += rec->output;
    c->web_search += rec->web_search;
}

static void admin_write(struct out *out, const struct admin_agg *a, const struct world *w,
                        const struct options *o)
{
    struct line l;
    for (int d0 = 0; d0 < w->days; d0 += 7) {
        int d1 = d0 + 7 < w->days ? d0 + 7 : w->days;
        l.n = 0;
        put(&l, "{\"data\":[");
        out_write(out, l.s, l.n);
        for (int d = d0; d < d1; d++) {
            l.n = 0;
            if (d > d0)
                l.s[l.n++] = ',';
            put(&l, "\n{\"starting_at\":\"");
            put_u64(&l, (uint64_t)o->year);
            l.s[l.n++] = '-';
            put_2(&l, o->month);
            l.s[l.n++] = '-';
            put_2(&l, d + 1);
            put(&l, "T00:00:00Z\",\"ending_at\":\"");
            int ey = o->year, em = o->month, ed = d + 2;
            if (ed > w->days) {
                ed = 1;
                if (++em == 13) {
                    em = 1;
                    ey++;
                }
            }
            put_u64(&l, (uint64_t)ey);
            l.s[l.n++] = '-';
            put_2(&l, em);
            l.s[l.n++] = '-';
            put_2(&l, ed);
            put(&l, "T00:00:00Z\",\"results\":[");
            out_write(out, l.s, l.n);
            bool firstres = true;
            for (size_t k = 0; k < a->n_keys; k++)
                for (size_t m = 0; m < a->n_models; m++)
                    for (int bl = 0; bl < 4; bl++) {
                        int b = bl / 2;
                        const struct admin_cell *c =
                            &a->cells[(((size_t)d * a->n_keys + k) * a->n_models + m) * 4 +
                                      (size_t)bl];
                        if (!c->used)
                            continue;
                        l.n = 0;
                        if (!firstres)
                            l.s[l.n++] = ',';
                        firstres = false;
                        put(&l, "\n {\"uncached_input_tokens\":");
                        put_i64(&l, c->uncached);
                        put(&l, ",\"cache_creation\":{\"ephemeral_1h_input_tokens\":");
                        put_i64(&l, c->cache_1h);
                        put(&l, ",\"ephemeral_5m_input_tokens\":");
                        put_i64(&l, c->cache_5m);
                        put(&l, "},\"cache_read_input_tokens\":");
                        put_i64(&l, c->cache_read);
                        put(&l, ",\"output_tokens\":");
                        put_i64(&l, c->output);
                        put(&l, ",\"server_tool_use\":{\"web_search_requests\":");
                        put_i64(&l, c->web_search);
                        put(&l, "},\"api_key_id\":\"");
                        put(&l, k < w->n_teams ? w->teams[k].api_key[0] : w->sandbox_key);
                        put(&l, "\",\"workspace_id\":\"");
                        put(&l, k < w->n_teams ? w->teams[k].workspace : w->sandbox_workspace);
                        put(&l, "\",\"model\":\"");
                        put(&l, w->models[m].id);
                        put(&l, "\",\"service_tier\":\"");
                        put(&l, b ? "batch" : "standard");
                        put(&l, "\",\"context_window\":\"");
                        put(&l, bl % 2 ? "200k-1M" : "0-200k");
                        put(&l, "\"}");
                        out_write(out, l.s, l.n);
                    }
            out_write(out, "]}", 2);
        }
        l.n = 0;
        if (d1 < w->days) {
            put(&l, "\n],\"has_more\":true,\"next_page\":\"page_");
            char start[64];
            snprintf(start, sizeof start, "%04d-%02d-%02dT00:00:00Z", o->year, o->month, d1 + 1);
            put_base64(&l, start, 20);
            put(&l, "\"}\n");
        } else
            put(&l, "\n],\"has_more\":false,\"next_page\":null}\n");
        out_write(out, l.s, l.n);
    }
}

/* ---- command line ------------------------------------------------------------------------ */

static const char USAGE[] =
    "usage: gen-usage [options]\n"
    "Writes a deterministic month of tagged Claude API usage records (chargeback SPEC 2.1) as\n"
    "JSON Lines. The same options give the same bytes on every machine.\n"
    "\n"
    "  --records N        lines to write, duplicates and bad lines included (default 10000)\n"
    "  --seed S           seed of the random stream (default 1)\n"
    "  --month YYYY-MM    the month the timestamps fall in (default 2026-10)\n"
    "  --teams N          teams; up to 5 are data, product, engineering, support, research,\n"
    "                     more are team-0001... (default 5)\n"
    "  --users N          users, human-like ids and a few service accounts (default 100)\n"
    "  --projects N       projects; with 2 per team or more the last is the shared\n"
    "                     \"platform-rag\" (default 20)\n"
    "  --models LIST|N    comma-separated model ids, or N synthetic ids bench-model-01..N\n"
    "                     (default: the Opus, Sonnet and Haiku 4.x mix, dated ids included)\n"
    "  --untagged-rate R  share of records with no team and an unmapped API key (default 0.01)\n"
    "  --rule-rate R      share of records whose team is left to attribution rules: api key\n"
    "                     and project kept (default 0.03; 0 with --preset bench)\n"
    "  --dup-rate R       share of lines that repeat a recent line (default 0.001)\n"
    "  --bad-rate R       share of deliberately invalid lines (default 0)\n"
    "  --bad-lines N      exactly N invalid lines, evenly spread, one of each kind in turn:\n"
    "                     not JSON, negative count, unknown model, bad timestamp, string count\n"
    "  --outside N        N records just outside the month, half before and half after\n"
    "  --shape flat|mixed flat: every field at top level; mixed: some records nest tags in\n"
    "                     \"tags\"/\"metadata\" and tokens in \"usage\", with 1-hour cache "
    "writes,\n"
    "                     skill and MCP counts and API keys (default mixed)\n"
    "  --format jsonl|array|admin  JSON Lines, one JSON array, or Anthropic Admin API usage\n"
    "                     report pages (daily buckets by api_key_id, workspace_id, model)\n"
    "  --preset sample|bench  sample: the repository's sample month (20000 records, 5 bad\n"
    "                     lines, 6 outside the month); bench: flat records of about 370 bytes\n"
    "                     with the three models the peer script prices (1000000 records)\n"
    "  --out FILE         write to FILE instead of standard output\n"
    "  --help             this text\n"
    "Options after --preset override it. Pipe through gzip for .gz inputs.\n";

static void usage_error(const char *fmt, const char *arg)
{
    fputs("gen-usage: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\nTry 'gen-usage --help'.\n", stderr);
    exit(2);
}

static uint64_t parse_u64(const char *opt, const char *s, uint64_t lo, uint64_t hi)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (!*s || *end || errno || s[0] == '-' || v < lo || v > hi) {
        char msg[160];
        snprintf(msg, sizeof msg, "%s: expected an integer from %llu to %llu, got \"%%s\"", opt,
                 (unsigned long long)lo, (unsigned long long)hi);
        usage_error(msg, s);
    }
    return v;
}

/* A rate in [0, 1] written as plain decimal digits ("0.02"); parsed without the locale. */
static double parse_rate(const char *opt, const char *s)
{
    double v = 0, scale = 1;
    const char *p = s;
    bool digits = false, dot = false;
    for (; *p; p++) {
        if (*p >= '0' && *p <= '9') {
            digits = true;
            if (dot)
                v += (*p - '0') * (scale /= 10);
            else
                v = v * 10 + (*p - '0');
        } else if (*p == '.' && !dot)
            dot = true;
        else
            break;
    }
    if (*p || !digits || v > 1) {
        char msg[96];
        snprintf(msg, sizeof msg, "%s: expected a rate from 0 to 1, got \"%%s\"", opt);
        usage_error(msg, s);
    }
    return v;
}

static void apply_preset(struct options *o, const char *name)
{
    if (!strcmp(name, "sample")) {
        o->records = 20000;
        o->seed = 20261001;
        o->teams = 5;
        o->users = 100;
        o->projects = 20;
        o->models_arg = NULL;
        o->untagged_rate = 0.01;
        o->rule_rate = 0.03;
        o->dup_rate = 0.001;
        o->bad_rate = 0;
        o->bad_lines = 5;
        o->outside = 6;
        o->shape = SHAPE_MIXED;
    } else if (!strcmp(name, "bench")) {
        o->records = 1000000;
        o->seed = 42;
        o->teams = 5;
        o->users = 100;
        o->projects = 20;
        o->models_arg = "bench";
        o->untagged_rate = 0.01;
        o->rule_rate = 0;
        o->dup_rate = 0.001;
        o->bad_rate = 0;
        o->bad_lines = 0;
        o->outside = 0;
        o->shape = SHAPE_FLAT;
    } else
        usage_error("--preset: expected sample or bench, got \"%s\"", name);
}

static void parse_args(struct options *o, int argc, char **argv)
{
    *o = (struct options){.records = 10000,
                          .seed = 1,
                          .year = 2026,
                          .month = 10,
                          .teams = 5,
                          .users = 100,
                          .projects = 20,
                          .untagged_rate = 0.01,
                          .rule_rate = 0.03,
                          .dup_rate = 0.001,
                          .shape = SHAPE_MIXED,
                          .format = OUT_JSONL};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(USAGE, stdout);
            exit(0);
        }
        if (strncmp(a, "--", 2) != 0)
            usage_error("unexpected argument \"%s\"", a);
        const char *v = strchr(a, '=');
        char name[32];
        size_t nlen = v ? (size_t)(v - a) : strlen(a);
        if (nlen >= sizeof name)
            usage_error("unknown option \"%s\"", a);
        memcpy(name, a, nlen);
        name[nlen] = '\0';
        static const char *const KNOWN[] = {
            "--records",  "--seed",      "--month",         "--teams",     "--users",
            "--projects", "--models",    "--untagged-rate", "--rule-rate", "--dup-rate",
            "--bad-rate", "--bad-lines", "--outside",       "--shape",     "--format",
            "--preset",   "--out"};
        bool known = false;
        for (size_t k = 0; k < sizeof KNOWN / sizeof KNOWN[0] && !known; k++)
            known = !strcmp(name, KNOWN[k]);
        if (!known)
            usage_error("unknown option \"%s\"", name);
        if (v)
            v++;
        else if (i + 1 < argc)
            v = argv[++i];
        else
            usage_error("%s needs a value", a);

        if (!strcmp(name, "--records"))
            o->records = parse_u64(name, v, 1, UINT64_C(1000000000000));
        else if (!strcmp(name, "--seed"))
            o->seed = parse_u64(name, v, 0, UINT64_MAX);
        else if (!strcmp(name, "--month")) {
            if (strlen(v) != 7 || v[4] != '-')
                usage_error("--month: expected YYYY-MM, got \"%s\"", v);
            char y[5] = {v[0], v[1], v[2], v[3], 0}, m[3] = {v[5], v[6], 0};
            o->year = (int)parse_u64("--month year", y, 1970, 9999);
            o->month = (int)parse_u64("--month month", m, 1, 12);
        } else if (!strcmp(name, "--teams"))
            o->teams = (unsigned)parse_u64(name, v, 1, 100000);
        else if (!strcmp(name, "--users"))
            o->users = (unsigned)parse_u64(name, v, 1, 10000000);
        else if (!strcmp(name, "--projects"))
            o->projects = (unsigned)parse_u64(name, v, 1, 1000000);
        else if (!strcmp(name, "--models")) {
            if (!*v || !strcmp(v, "bench"))
                usage_error("--models: expected a list of model ids or a count, got \"%s\"", v);
            o->models_arg = v;
        } else if (!strcmp(name, "--untagged-rate"))
            o->untagged_rate = parse_rate(name, v);
        else if (!strcmp(name, "--rule-rate"))
            o->rule_rate = parse_rate(name, v);
        else if (!strcmp(name, "--dup-rate"))
            o->dup_rate = parse_rate(name, v);
        else if (!strcmp(name, "--bad-rate"))
            o->bad_rate = parse_rate(name, v);
        else if (!strcmp(name, "--bad-lines"))
            o->bad_lines = parse_u64(name, v, 0, UINT64_C(1000000000000));
        else if (!strcmp(name, "--outside"))
            o->outside = (unsigned)parse_u64(name, v, 0, 1000000);
        else if (!strcmp(name, "--shape")) {
            if (!strcmp(v, "flat"))
                o->shape = SHAPE_FLAT;
            else if (!strcmp(v, "mixed"))
                o->shape = SHAPE_MIXED;
            else
                usage_error("--shape: expected flat or mixed, got \"%s\"", v);
        } else if (!strcmp(name, "--format")) {
            if (!strcmp(v, "jsonl"))
                o->format = OUT_JSONL;
            else if (!strcmp(v, "array"))
                o->format = OUT_ARRAY;
            else if (!strcmp(v, "admin"))
                o->format = OUT_ADMIN;
            else
                usage_error("--format: expected jsonl, array or admin, got \"%s\"", v);
        } else if (!strcmp(name, "--preset"))
            apply_preset(o, v);
        else if (!strcmp(name, "--out"))
            o->out = v;
        else
            usage_error("unknown option \"%s\"", name);
    }
    if (o->models_arg && strcmp(o->models_arg, "bench") != 0) {
        /* check a given list now, so a bad one is a usage error */
        size_t n = 0;
        for (const char *p = o->models_arg; *p; p++)
            n += *p == ',';
        if (n + 1 > MAX_MODELS)
            usage_error("--models: at most 256 ids, got \"%s\"", o->models_arg);
        for (const char *p = o->models_arg; *p; p++)
            if (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20)
                usage_error("--models: ids are plain text, got \"%s\"", o->models_arg);
    }
    if (o->outside >= o->records)
        usage_error("--outside: must be smaller than --records%s", "");
}

int main(int argc, char **argv)
{
    struct options o;
    parse_args(&o, argc, argv);

    struct rng r;
    rng_seed(&r, o.seed);
    struct world w;
    world_build(&w, &o, &r);

    struct out out = {.f = stdout, .cap = 1u << 20};
    if (o.out && !(out.f = fopen(o.out, "wb"))) {
        fprintf(stderr, "gen-usage: %s: cannot write: %s\n", o.out, strerror(errno));
        return 3;
    }
    out.buf = xmalloc(out.cap);

    struct admin_agg agg = {0};
    if (o.format == OUT_ADMIN) {
        agg.n_keys = w.n_teams + 1;
        agg.n_models = w.n_models;
        agg.cells = xcalloc((size_t)w.days * agg.n_keys * agg.n_models * 4, sizeof *agg.cells);
    }

    struct line *ring = xcalloc(DUP_RING, sizeof *ring);
    size_t ring_len = 0, ring_pos = 0;
    struct line l;
    struct record rec;
    uint64_t before = o.outside / 2 + o.outside % 2;
    uint64_t regular = o.records - o.outside;
    uint64_t next_bad = o.bad_lines ? o.records / (2 * o.bad_lines) : UINT64_MAX, bad_done = 0;
    int bad_kind = 0;
    if (o.format == OUT_ARRAY)
        out_write(&out, "[\n", 2);

    for (uint64_t i = 0; i < o.records; i++) {
        /* A line repeated by an at-least-once log shipper. Every format draws the same random
         * numbers, so the Admin API report sums exactly the records the JSON Lines hold. */
        if (ring_len > 0 && i >= before && i < before + regular && rng_chance(&r, o.dup_rate)) {
            const struct line *d = &ring[rng_below(&r, (uint32_t)ring_len)];
            if (o.format == OUT_ADMIN)
                continue;
            if (o.format == OUT_ARRAY && i > 0)
                out_write(&out, ",\n", 2);
            out_write(&out, d->s, d->n);
            if (o.format == OUT_JSONL)
                out_write(&out, "\n", 1);
            continue;
        }
        make_record(&rec, &w, &o, &r);
        if (i < before)
            make_outside_timestamp(&rec, &o, &r, true);
        else if (i >= before + regular)
            make_outside_timestamp(&rec, &o, &r, false);
        else
            make_timestamp(&rec, &w, &o, &r, i - before, regular);
        if (rec.day == w.spike_day && rec.month == o.month &&
            rec.team == w.teams[w.spike_team].id) {
            rec.input *= 8;
            rec.output *= 8;
        }
        fit_context(&rec);
        int untag = 0;
        double t = rng_unit(&r);
        if (t < o.untagged_rate)
            untag = 2;
        else if (t < o.untagged_rate + o.rule_rate)
            untag = 1;
        if (untag == 2)
            rec.api_key = w.sandbox_key;

        int bad = -1;
        if (i == next_bad && bad_done < o.bad_lines) {
            bad = bad_kind++ % N_BAD_KINDS;
            bad_done++;
            next_bad = (2 * bad_done + 1) * o.records / (2 * o.bad_lines);
        } else if (rng_chance(&r, o.bad_rate))
            bad = bad_kind++ % N_BAD_KINDS;
        if (bad == BAD_NOT_JSON && o.format == OUT_ARRAY) /* would break the whole array */
            bad = BAD_STRING_COUNT;

        int layout = 0;
        if (o.shape == SHAPE_MIXED) {
            double x = rng_unit(&r);
            layout = x < 0.10 ? 1 : x < 0.25 ? 2 : x < 0.30 ? 3 : x < 0.34 ? 4 : 0;
        }
        /* API keys on a fifth of the records, and on every one that needs them for its team */
        bool with_key = o.shape == SHAPE_MIXED && (untag != 0 || rng_below(&r, 5) == 0);
        format_record(&l, &rec, layout, untag, w.sandbox_key, with_key, bad);
        if (bad < 0) {
            ring[ring_pos] = l;
            ring_pos = (ring_pos + 1) % DUP_RING;
            if (ring_len < DUP_RING)
                ring_len++;
        }
        if (o.format == OUT_ADMIN) {
            if (bad < 0 && i >= before && i < before + regular)
                admin_add(&agg, &w, &rec, untag);
            continue;
        }
        if (o.format == OUT_ARRAY && i > 0)
            out_write(&out, ",\n", 2);
        out_write(&out, l.s, l.n);
        if (o.format == OUT_JSONL)
            out_write(&out, "\n", 1);
    }
    if (o.format == OUT_ARRAY)
        out_write(&out, "\n]\n", 3);
    if (o.format == OUT_ADMIN)
        admin_write(&out, &agg, &w, &o);
    out_flush(&out);
    int status = 0;
    if (out.failed || fflush(out.f) != 0 || ferror(out.f)) {
        fprintf(stderr, "gen-usage: %s: write failed: %s\n", o.out ? o.out : "standard output",
                strerror(errno));
        status = 3;
    }
    if (o.out && fclose(out.f) != 0 && status == 0) {
        fprintf(stderr, "gen-usage: %s: write failed: %s\n", o.out, strerror(errno));
        status = 3;
    }
    world_free(&w);
    free(ring);
    free(agg.cells);
    free(out.buf);
    return status;
}
