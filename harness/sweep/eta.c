/* eta.c — how long a point takes, for the sweep's ETA and the shards'
 * balance (see eta.h).
 *
 * A timing point's work is FLOPs, but its time is not proportional to
 * them: its reps stop at max_seconds (run.c), so a large point costs about
 * its budget whatever its FLOPs (the old FLOP cost put 2:36:55 on a run of
 * 15 min), and a small one is mostly the batch it draws.  So a point's
 * seconds are modelled on what run.c does (model_seconds): its batches, its
 * steps at a FLOP rate, the steps that max_seconds caps capped.  A
 * learning point runs all its epochs: no cap.  The rate is a FLOP rate, one
 * for timing points and one for learning points, calibrated on the points
 * this process has finished together with a fixed overhead a point (its
 * context, its files: what no FLOP count sees): the pair, from a grid, whose
 * model is closest to the seconds those points took in log ratio.  Until a class has finished points its
 * nominal rate stands (and the shards are balanced by it, which must be the
 * same on every host). */
#include <math.h>
#include <string.h>

#include "sweep/study.h"

/* Nominal FLOP rates of one thread (this machine's order of magnitude: a
 * step's products at ~2e10 flop/s; a learning step's smaller GEMMs and
 * evaluations ~5e9); a process's own points replace them. */
#define RATE_TIMING 2e10
#define RATE_LEARN 5e9
/* A normal deviate of a batch, in FLOPs at the step's rate (measured: ~5e7
 * deviates a second where a step runs at 2e10 flop/s). */
#define NORMAL_FLOPS 400.0

static int is_learn(const sweep_point *p) { return p->kind == PK_TRAIN || p->kind == PK_BASELINE; }

/* The model's seconds of one point at a FLOP rate: what run.c does.  A loss
 * point runs a pilot step whole (its first warm-up step), then its reps (and
 * the rest of its warm-up) within its budget but at least 3 steps, then (1
 * thread) the forward products and the forward step alone, in turn, 3 to 5
 * samples of each within half the budget; a kernel point its reps within
 * the budget (at least 3); a learning point all of it.  Each draws its
 * batch first (setup), once: the products reuse it (point/batch.h). */
static double model_seconds(const point_eta *m, int threads, double rate)
{
    double step = m->flops / (rate * (threads > 1 ? threads : 1));
    double most = m->cap > 3 * step ? m->cap : 3 * step;
    double run = m->reps * step < most ? m->reps * step : most;
    if (m->pilot) run += step;
    if (m->products) { /* 5 samples of a third and of a half of a step, or 3 past half the budget */
        double alone = 5 * step * (1.0 / 3 + 0.5), floor_ = 3 * step * (1.0 / 3 + 0.5);
        double half = 0.5 * m->cap > floor_ ? 0.5 * m->cap : floor_;
        run += alone < half ? alone : half;
    }
    return 0.01 + m->setup / rate + run;
}

void eta_model(sweep_point *p, double flops)
{
    const batch_spec *b = &p->sp.batch;
    memset(&p->eta, 0, sizeof p->eta);
    p->eta.flops = flops;
    if (is_learn(p)) {
        p->eta.reps = 1, p->eta.cap = INFINITY;
        return;
    }
    int loss = !p->is_kernel, one = loss && p->sp.threads <= 1; /* one thread: its products timed alone */
    double R = p->is_kernel ? (double)b->C : (double)dml_proxy_rows(&p->sp.params, b->C);
    p->eta.reps = p->sp.reps + (loss && p->sp.warmup > 0 ? p->sp.warmup - 1 : p->sp.warmup);
    p->eta.cap = p->max_seconds;
    p->eta.pilot = loss, p->eta.products = one;
    p->eta.setup = NORMAL_FLOPS * ((double)b->M + R + (double)b->C) * (double)b->D;
}

double eta_nominal(const sweep_point *p)
{
    return model_seconds(&p->eta, p->sp.threads, is_learn(p) ? RATE_LEARN : RATE_TIMING);
}

/* ------------------------------------------------------------ calibration */

/* The points finished in this process, by class (0 timing, 1 learning):
 * their model and the seconds they took.  A bounded ring: the latest
 * points speak for the machine as it is now. */
enum { KEEP = 512 };
static struct {
    point_eta m[KEEP];
    int threads[KEEP];
    double took[KEEP];
    int n, next;
    double rate, over; /* the calibrated rate (0: not solved since the last point) and overhead */
} cls[2];

void eta_done(const sweep_point *p, double seconds)
{
    int c = is_learn(p);
    cls[c].m[cls[c].next] = p->eta;
    cls[c].threads[cls[c].next] = p->sp.threads;
    cls[c].took[cls[c].next] = seconds;
    cls[c].next = (cls[c].next + 1) % KEEP;
    if (cls[c].n < KEEP) cls[c].n++;
    cls[c].rate = 0;
}

/* How far the model at (rate, overhead) is from class c's finished points:
 * the sum of squared log ratios, so that a point of 0.01 s and one of 10 s
 * weigh alike (the small ones set the overhead, the large ones the rate). */
static double misfit(int c, double rate, double over)
{
    double s = 0;
    for (int i = 0; i < cls[c].n; i++) {
        double d = log((over + model_seconds(&cls[c].m[i], cls[c].threads[i], rate)) / (cls[c].took[i] + 1e-3));
        s += d * d;
    }
    return s;
}

/* The best of a grid: rates over five decades around the nominal (steps of
 * ~20 %), a point's own overhead (what no FLOP count sees: its context, its
 * files) from 1 ms to 1 s. */
static void solve(int c)
{
    double nominal = c ? RATE_LEARN : RATE_TIMING, best = INFINITY;
    for (int i = 0; i <= 60; i++) {
        double rate = nominal * pow(10, -3 + 5.0 * i / 60);
        for (int j = 0; j <= 15; j++) {
            double over = 1e-3 * pow(10, 3.0 * j / 15), lr = log(rate / nominal);
            /* the nominal rate as one point's worth of prior: a few small
             * points alike cannot pull it decades away */
            double m = misfit(c, rate, over) + lr * lr;
            if (m < best) best = m, cls[c].rate = rate, cls[c].over = over;
        }
    }
}

double eta_rate(int learn)
{
    int c = learn != 0;
    if (cls[c].n == 0) return c ? RATE_LEARN : RATE_TIMING;
    if (!(cls[c].rate > 0)) solve(c);
    return cls[c].rate;
}

/* The point's seconds at its class's calibrated rate and overhead. */
static double calibrated(const sweep_point *p)
{
    int c = is_learn(p);
    double rate = eta_rate(c);
    return (cls[c].n ? cls[c].over : 0) + model_seconds(&p->eta, p->sp.threads, rate);
}

double eta_left(const study *st)
{
    double s = 0;
    for (size_t i = 0; i < st->n; i++) {
        const sweep_point *p = &st->pts[i];
        int left = st->passes - p->passes_done;
        if (left > 0) s += left * calibrated(p);
    }
    return s;
}
