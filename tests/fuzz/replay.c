/* replay.c — main() for a fuzz harness in the plain build (make test):
 * every file named, and every file in every directory named, goes through
 * LLVMFuzzerTestOneInput once.  A regression that comes back crashes it. */
#include <dirent.h>
#include <stdio.h>
#include <sys/stat.h>

#include "core/text.h"
#include "fuzz.h"

/* The file's bytes as libFuzzer would pass them (binary inputs, IDX, have
 * NUL bytes: read raw, bounded by the harness's input cap). */
static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = malloc(TEXT_MAX + 1);
    size_t len = f && buf ? fread(buf, 1, TEXT_MAX + 1, f) : 0;
    int bad = !f || !buf || ferror(f) || len > TEXT_MAX;
    if (f) fclose(f);
    if (bad) {
        fprintf(stderr, "replay: %s: cannot read it whole\n", path);
        free(buf);
        return 1;
    }
    LLVMFuzzerTestOneInput(buf, len);
    free(buf);
    return 0;
}

int main(int argc, char **argv)
{
    LLVMFuzzerInitialize(&argc, &argv);
    int n = 0, bad = 0;
    for (int i = 1; i < argc; i++) {
        struct stat sb;
        if (stat(argv[i], &sb) == 0 && S_ISDIR(sb.st_mode)) {
            DIR *d = opendir(argv[i]);
            for (struct dirent *e; d && (e = readdir(d));) {
                char p[4096];
                snprintf(p, sizeof p, "%s/%s", argv[i], e->d_name);
                if (e->d_name[0] == '.' || stat(p, &sb) || !S_ISREG(sb.st_mode)) continue;
                bad |= replay_file(p);
                n++;
            }
            if (d) closedir(d);
        } else {
            bad |= replay_file(argv[i]);
            n++;
        }
    }
    fprintf(stderr, "replay %s: %d inputs, no crash\n", argv[0], n); /* stderr: a harness may close stdout */
    return bad;
}
