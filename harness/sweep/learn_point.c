/* learn_point.c — what a point of a learning study is: a network trained
 * with one loss (a `train` unit) or the pixels retrieved as they are (a
 * `baseline` unit); its defaults, its key (its identity: what it trains and
 * evaluates, not its results), its cost estimate for the ETA and the shard
 * split, and how many CSV lines it leaves. */
#include <string.h>

#include "point/params.h"
#include "sweep/study.h"

const char *const baseline_names[BASE_COUNT] = { "pixels" };

const char *learn_protocol_name(int protocol) { return train_protocol_name((train_protocol)protocol); }

/* The defaults of `dmlbench train` (train_opts_default): the reference's
 * 784 -> 512 -> 128, M = 180, 4 epochs, AdamW lr 1e-3. */
void learn_point_default(sweep_point *p, int kind, dml_loss loss)
{
    train_opts o;
    train_opts_default(&o, loss);
    p->kind = kind;
    p->sp.params = o.params;
    p->sp.batch.M = o.M;
    p->sp.batch.D = o.D;
    p->sp.batch.seed = o.seed;
    p->sp.isa = o.isa;
    p->sp.batch.per_class = o.per_class;
    p->ls = (learn_spec){ .protocol = PROTOCOL_CLOSED, .H = o.H, .conv = o.conv, .epochs = o.epochs,
                          .eval_every = o.eval_every, .eval_untrained = 1, .lr = o.lr,
                          .proxy_lr_mult = o.proxy_lr_mult, .data = LEARN_DEFAULT_DATA };
}

const char *learn_data_dir(const char *data)
{
    if (!strcmp(data, "fashion-mnist")) return train_default_data_dir();
    if (!strcmp(data, "glyphs")) return train_glyphs_dir();
    return data;
}

/* The settings added after the first studies ran, in the key only when not
 * their default, so the keys of those studies' points stay what they were. */
static size_t newer_settings(const sweep_point *p, char *out, size_t len)
{
    const learn_spec *l = &p->ls;
    size_t o = 0;
    if (strcmp(l->data, LEARN_DEFAULT_DATA)) o += (size_t)snprintf(out, len, ";data=%s", l->data);
    if (p->kind != PK_TRAIN) return o;
    if (o < len && l->conv) o += (size_t)snprintf(out + o, len - o, ";conv=%zu", l->conv);
    if (o < len && p->sp.batch.per_class) o += (size_t)snprintf(out + o, len - o, ";per_class=%zu", p->sp.batch.per_class);
    if (o < len && l->proxy_lr_mult != 100) o += (size_t)snprintf(out + o, len - o, ";proxy_lr_mult=%g", l->proxy_lr_mult);
    return o;
}

void learn_point_key(const sweep_point *p, int threads, char *out, size_t len)
{
    const learn_spec *l = &p->ls;
    size_t o = (size_t)snprintf(out, len, "%s=%s;isa=%s;threads=%d;protocol=%s;train_limit=%zu;eval_limit=%zu",
                                p->kind == PK_TRAIN ? "train" : "baseline",
                                p->kind == PK_TRAIN ? dml_loss_name(p->sp.params.loss) : baseline_names[BASE_PIXELS],
                                dml_isa_name(p->sp.isa), threads, learn_protocol_name(l->protocol), l->train_limit,
                                l->eval_limit);
    if (o < len) o += newer_settings(p, out + o, len - o);
    if (p->kind != PK_TRAIN || o >= len) return;
    o += (size_t)snprintf(out + o, len - o, ";M=%zu;D=%zu;H=%zu;epochs=%d;lr=%g;eval_every=%d;eval_untrained=%d;seed=%llu",
                          p->sp.batch.M, p->sp.batch.D, l->H, l->epochs, l->lr, l->eval_every, l->eval_untrained,
                          (unsigned long long)p->sp.batch.seed);
    if (o < len) params_key(&p->sp.params, out + o, len - o);
}

/* Fashion-MNIST's split sizes (data.c): an estimate only, so it does not
 * read the data; what a definition's limits leave of them. */
static void set_sizes(const learn_spec *l, double *ntrain, double *neval)
{
    *ntrain = l->protocol == PROTOCOL_OPEN ? 30000 : 60000;
    *neval = l->protocol == PROTOCOL_OPEN ? 35000 : 10000;
    if (l->train_limit && (double)l->train_limit < *ntrain) *ntrain = (double)l->train_limit;
    if (l->eval_limit && (double)l->eval_limit < *neval) *neval = (double)l->eval_limit;
}

/* Floating-point operations, as the timing points' costs: the GEMMs of the
 * network (forward and backward, 3 x 2 a weight a sample), of the loss
 * (proxies: C x D a sample; pairs: M x D), and of the evaluations (N² x D
 * similarities).  Balances the shards to within the loss's own work. */
double learn_point_cost(const sweep_point *p)
{
    double ntr, nev;
    set_sizes(&p->ls, &ntr, &nev);
    const double in = 784;
    if (p->kind == PK_BASELINE) return 2 * (2 * nev * nev * in) + 1e6; /* x/255 and standardised */
    double H = (double)p->ls.H, D = (double)p->sp.batch.D, M = (double)p->sp.batch.M;
    double weights = H ? in * H + H * D : in * D;
    double loss = dml_loss_kind_of(p->sp.params.loss) == DML_KIND_PROXY
                      ? 6 * 10 * D * (double)dml_proxy_rows(&p->sp.params, 1) : 6 * M * D;
    double epoch = ntr * (6 * weights + loss);
    double evals = learn_point_rows(p);
    return (double)p->ls.epochs * epoch + evals * (2 * nev * nev * D + 2 * nev * weights) + 1e6;
}

/* One line per evaluation: the untrained network (eval_untrained), every
 * eval_every-th epoch and the last (train.c's rule). */
int learn_point_rows(const sweep_point *p)
{
    if (p->kind == PK_BASELINE) return 2;
    const learn_spec *l = &p->ls;
    return l->eval_untrained + l->epochs / l->eval_every + (l->epochs % l->eval_every != 0);
}
