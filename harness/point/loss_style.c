/* loss_style.c — each loss's title, colour and point type in figures (see
 * loss_style.h), from the table of losses, so that no plot script lists them. */
#include "dml.h"
#include "point/loss_style.h"

/* Colours by the loss's place in the table of losses (the first four as the
 * figures always drew them); past the palette, grey. */
static const char *const loss_colours[] = { "#1b9e77", "#d95f02", "#7570b3", "#e7298a",
                                            "#66a61e", "#e6ab02", "#1f78b4", "#b15928" };
/* ... and point types, so that curves that coincide stay apart. */
static const int loss_pts[] = { 7, 5, 9, 11, 4, 8, 10, 12 };
enum { NPAL = sizeof loss_pts / sizeof *loss_pts };

void loss_style_lines(sbuf *b)
{
    for (int l = 0; l < DML_LOSS_COUNT; l++) {
        const char *n = dml_loss_name((dml_loss)l);
        sb_add(b, "TITLE_%s = \"%s\"\nCOLOUR_%s = \"%s\"\nPT_%s = %d\n", n,
               dml_loss_title((dml_loss)l), n, l < NPAL ? loss_colours[l] : "#777777", n,
               l < NPAL ? loss_pts[l] : 1);
    }
}
