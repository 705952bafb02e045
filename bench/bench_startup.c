/* bench_startup.c - mmiod's time from exec to READY=1 and its peak RSS,
 * serving 1,000 regions to the simulator. READY=1 arrives over a
 * NOTIFY_SOCKET of our own, exactly as systemd would receive it. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define REGIONS 1000

static void write_files(const char *dir, char *cfg, char *script)
{
	FILE *f;

	sprintf(cfg, "%s/startup.cfg", dir);
	sprintf(script, "%s/startup.sim", dir);
	f = fopen(cfg, "w");
	fprintf(f, "mmio = [\n");
	for (int i = 0; i < REGIONS; i++)
		fprintf(f, "\"base=0x%llx,size=4K,type=ram\",\n",
			0xc0000000ull + (unsigned long long)i * 0x2000);
	fprintf(f, "]\n");
	fclose(f);
	f = fopen(script, "w");
	fprintf(f, "vcpus 1\nsleep 200\n");
	fclose(f);
}

int main(int argc, char **argv)
{
	const char *mmiod = argc > 1 ? argv[1] : "./mmiod";
	char dir[] = "/tmp/mmiod-bench-XXXXXX", cfg[256], script[256];
	double ready[BENCH_REPEATS], rss[BENCH_REPEATS];
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	if (!mkdtemp(dir))
		return 1;
	write_files(dir, cfg, script);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/notify", dir);
	for (int r = 0; r < BENCH_REPEATS; r++) {
		int sock = socket(AF_UNIX, SOCK_DGRAM, 0);
		char msg[256] = "";
		struct rusage ru;
		double t0;
		int status;
		pid_t pid;

		unlink(sa.sun_path);
		if (bind(sock, (struct sockaddr *)&sa, sizeof(sa)))
			return 1;
		t0 = bench_now();
		pid = fork();
		if (pid == 0) {
			setenv("NOTIFY_SOCKET", sa.sun_path, 1);
			if (!freopen("/dev/null", "w", stdout) ||
			    !freopen("/dev/null", "w", stderr))
				_exit(127);
			execl(mmiod, mmiod, "--sim", script, cfg, (char *)NULL);
			_exit(127);
		}
		while (!strstr(msg, "READY=1")) {
			ssize_t n = recv(sock, msg, sizeof(msg) - 1, 0);

			if (n <= 0)
				return 1;
			msg[n] = '\0';
		}
		ready[r] = (bench_now() - t0) * 1e3;
		wait4(pid, &status, 0, &ru);
		rss[r] = (double)ru.ru_maxrss / 1024.0;
		close(sock);
	}
	printf("startup\tready_ms\tpeak_rss_mib\n");
	printf("%d regions\t%.1f\t%.1f\n", REGIONS,
	       bench_median(ready, BENCH_REPEATS),
	       bench_median(rss, BENCH_REPEATS));
	return 0;
}
