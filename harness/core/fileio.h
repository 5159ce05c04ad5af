/* fileio.h — whole-file reads and writes that never leave a half-written file.
 *
 * A write goes to PATH.tmp.<pid> and is renamed over PATH; on any failure
 * (a full disk, EFBIG under a file-size limit — SIGXFSZ is ignored so the
 * write returns it —, a read-only directory) the temporary file is removed
 * and the error names PATH.  A SIGINT, SIGTERM or SIGHUP during a write
 * removes it too (fileio_cleanup_on_signals); a kill -9 cannot, so
 * fileio_clean_stale removes what a dead process left. */
#ifndef DML_CORE_FILEIO_H
#define DML_CORE_FILEIO_H

#include <stddef.h>
#include <stdio.h>

/* The longest output path accepted (PATH_MAX less room for ".tmp.<pid>"). */
#define FILEIO_PATH_MAX 4000

/* Writes `text` to path through a temporary file and rename; when the file
 * already holds exactly `text` it is left alone (its time stamp too, so make
 * does not redraw figures whose data did not change).  Returns 0 or 1 (err). */
int write_file_atomic(const char *path, const char *text, size_t len, char *err, size_t errlen);

/* The same with what was written to f (a stream from fileio_tmp), then closes f. */
int write_stream_atomic(FILE *f, const char *path, char *err, size_t errlen);
/* A temporary read-write stream, already unlinked; NULL with err set. */
FILE *fileio_tmp(char *err, size_t errlen);

/* Reads a whole file (NUL-terminated) of at most TEXT_MAX bytes (core/text.h);
 * NULL when it cannot. */
char *read_file_all(const char *path, size_t *len);

/* mkdir -p: 0 when dir is (now) a directory this process can write into;
 * 1 with errno set (ENOTDIR: a file is in the way, ENAMETOOLONG, EACCES). */
int mkdir_p(const char *dir);

/* SIGXFSZ ignored; SIGINT, SIGTERM, SIGHUP remove the temporary file being
 * written, then end the process as the signal would. */
void fileio_cleanup_on_signals(void);

/* Removes PATH.tmp.<pid> files whose process is gone (or is not a
 * dmlbench); returns how many. */
int fileio_clean_stale(const char *path);

#endif
