/* limits.c — the limits of a training or baseline run checked against the
 * data set's labels alone (two small files), before any image is read or
 * any point runs: the evaluation set that --eval-limit (eval_limit) leaves
 * must hold a query, two items of one class — with --eval-limit 2 it would
 * otherwise fail after training, with a message about labels. */
#include <stdio.h>
#include <string.h>

#include "train/train.h"

/* Does the first `limit` (0: all) of the items whose label is in [lo, hi),
 * taken from a then b, hold two of one class?  *taken: how many it took. */
static int has_query(const idx_array *a, const idx_array *b, int lo, int hi, size_t limit, size_t *taken)
{
    size_t count[256] = { 0 }, n = 0;
    int two = 0;
    const idx_array *set[2] = { a, b };
    for (int s = 0; s < 2 && set[s]; s++)
        for (size_t i = 0; i < set[s]->dims[0] && (!limit || n < limit); i++) {
            int y = set[s]->data[i];
            if (y < lo || y >= hi) continue;
            two |= ++count[y] == 2;
            n++;
        }
    *taken = n;
    return two;
}

int train_limits_check(const char *dir, train_protocol protocol, size_t eval_limit, char *err, size_t errlen)
{
    char trp[1024], tep[1024];
    train_idx_path(trp, sizeof trp, dir, "train", "labels-idx1-ubyte");
    train_idx_path(tep, sizeof tep, dir, "t10k", "labels-idx1-ubyte");
    idx_array tr, te;
    if (idx_read(trp, 1, IDX_MAX_BYTES, &tr, err, errlen)) return 1;
    if (idx_read(tep, 1, IDX_MAX_BYTES, &te, err, errlen)) {
        idx_free(&tr);
        return 1;
    }
    int classes = 0;
    for (size_t i = 0; i < tr.dims[0]; i++)
        if (tr.data[i] + 1 > classes) classes = tr.data[i] + 1;
    size_t taken;
    int open = protocol == PROTOCOL_OPEN, ok = open ? has_query(&tr, &te, classes / 2, classes, eval_limit, &taken)
                                                     : has_query(&te, NULL, 0, classes, eval_limit, &taken);
    if (!ok)
        snprintf(err, errlen, "the %zu evaluation items %s leaves hold no two of one class: retrieval would have no "
                 "query (raise it)", taken, eval_limit ? "the evaluation limit" : "the protocol");
    idx_free(&tr);
    idx_free(&te);
    return !ok;
}
