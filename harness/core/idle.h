/* idle.h — whether the machine was idle while something was measured: the
 * load average at both ends and, between them, the share of every CPU that
 * was stolen by the hypervisor and that went to other processes (/proc/stat
 * less this process's own CPU time).  Timings on a shared guest are only
 * comparable with this beside them. */
#ifndef DML_CORE_IDLE_H
#define DML_CORE_IDLE_H

typedef struct idle_mark {
    double load[3];                  /* /proc/loadavg: 1, 5, 15 min */
    unsigned long long busy, steal, total; /* /proc/stat "cpu" line, ticks */
    double self_s;                   /* this process's CPU time (user + system) */
    double wall_s;
    int ok;                          /* 0: /proc unreadable (not Linux) */
} idle_mark;

typedef struct idle_report {
    double load_start[3], load_end[3];
    double steal_frac;  /* stolen share of all CPUs' time over the span */
    double others_frac; /* share of all CPUs busy with other processes */
    int cpus, ok, idle; /* idle: others < 10 % of one CPU's worth and steal < 2 % */
} idle_report;

void idle_mark_now(idle_mark *m);
void idle_between(const idle_mark *a, const idle_mark *b, idle_report *r);
/* One line: "idle: yes (load 0.12 -> 0.95, others 3 % of 2 CPUs, steal 0.1 %)". */
void idle_describe(const idle_report *r, char *out, unsigned long len);

#endif
