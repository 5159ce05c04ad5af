/* param_check.h — refusing a loss parameter given for another loss (param_check.c). */
#ifndef DML_POINT_PARAM_CHECK_H
#define DML_POINT_PARAM_CHECK_H

#include <stddef.h>

#include "dml.h"

/* 0 when opt (a parameter's name, or its option --name) is not a loss
 * parameter or is one of loss's; 1 with err set
 * ("margin is not a parameter of proxy_anchor (its parameters: alpha delta)"). */
int param_check_loss(const char *opt, dml_loss loss, char *err, size_t errlen);

#endif
