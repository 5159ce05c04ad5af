/* loss_style.h — how figures draw each loss: the gnuplot lines TITLE_<name>,
 * COLOUR_<name>, PT_<name> that plots/common.gp's loss_title, loss_color and
 * loss_pt read from a results file's meta.gp. */
#ifndef DML_POINT_LOSS_STYLE_H
#define DML_POINT_LOSS_STYLE_H

#include "core/buf.h"

/* Appends the three lines of every loss in the table of losses to b. */
void loss_style_lines(sbuf *b);

#endif
