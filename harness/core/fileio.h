/* fileio.h — whole-file reads and writes that never leave a half-written file. */
#ifndef DML_CORE_FILEIO_H
#define DML_CORE_FILEIO_H

#include <stddef.h>
#include <stdio.h>

/* Writes `text` to path through a temporary file and rename; when the file
 * already holds exactly `text` it is left alone (its time stamp too, so make
 * does not redraw figures whose data did not change).  Returns 0 or 1 (err). */
int write_file_atomic(const char *path, const char *text, size_t len, char *err, size_t errlen);

/* The same with what was written to f (a stream from fileio_tmp), then closes f. */
int write_stream_atomic(FILE *f, const char *path, char *err, size_t errlen);
/* A temporary read-write stream, already unlinked; NULL with err set. */
FILE *fileio_tmp(char *err, size_t errlen);

/* Reads a whole file (NUL-terminated); NULL when it cannot. */
char *read_file_all(const char *path, size_t *len);

/* mkdir -p: 0, or 1 with errno set. */
int mkdir_p(const char *dir);

#endif
