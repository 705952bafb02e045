/* SPDX-License-Identifier: BSD-2-Clause */
/* script.h - scripted guests for the simulator (mmiod --sim SCRIPT).
 *
 * A script is a text file, one command per line, run in file order:
 *   platform pvh|hvm                 the domain's type (default pvh; before
 *                                    any command, at most once)
 *   vcpus N                          number of vCPUs (first, at most once)
 *   on vcpu N                        later commands run on vCPU N
 *   write ADDR SIZE VALUE            MMIO write
 *   read ADDR SIZE [expect VALUE]    MMIO read, printed
 *   rep-write ADDR SIZE COUNT VALUE [df]   rep stos: VALUE COUNT times
 *   rep-read ADDR SIZE COUNT [df]    rep movs into guest RAM, printed
 *   pio-write PORT SIZE VALUE        port write
 *   pio-read PORT SIZE [expect VALUE]  port read, printed
 *   ram-write GPA SIZE VALUE         the guest's own store to its RAM
 *   ram-read GPA SIZE [expect VALUE] the guest's own load, printed
 *   buffered-write ADDR SIZE VALUE   posted write through the buffered ring
 *   puts ADDR SIZE TEXT              write each byte of TEXT (\n escapes)
 *   sleep MS
 *   expect-irq LINE 0|1              ISA line LINE reaches that level
 *   expect-msi ADDR DATA             an MSI with that address and data
 *                                    comes (after the last one matched)
 *   destroy                          the domain dies; the script ends
 *   reboot                           the domain dies and a new one with
 *                                    the same name (the next domid) runs
 *                                    the rest once a device model serves it
 *   # comment
 * Both expects wait up to 5 s, as interrupts come from device threads.
 * Numbers are decimal or 0x hex; SIZE is 1, 2, 4 or 8 and a VALUE must
 * fit in SIZE bytes; buffered-write ADDRs are at most 0xfffff (20 bits in
 * the ring). Lines may be of any length; the script is a regular text
 * file (no NUL byte) of at most 1 MiB.
 */
#ifndef MMIOD_SIM_SCRIPT_H
#define MMIOD_SIM_SCRIPT_H

#include <stdbool.h>
#include <stdio.h>

#include "sim.h"

struct script;

/* Parses path. On error returns NULL with "FILE:LINE: ..." in err. */
struct script *script_load(const char *path, char *err, size_t errlen);
void script_free(struct script *script);
unsigned script_nr_vcpus(const struct script *script);
/* Whether the script declared platform hvm. */
bool script_hvm(const struct script *script);

/* The line of the script's first reboot, or 0. */
int script_reboot_line(const struct script *script);

/* What runs the guest provides. */
struct script_host {
	/* A reboot: kills *sim's domain, replaces *sim by a new domain and
	 * returns 0 once a device model serves that one, or -1 with errno.
	 * NULL: a reboot fails (ENOTSUP). */
	int (*reboot)(void *ctx, struct sim **sim);
	void *ctx;
};

/* Runs the script as the guest of sim, printing each read to out.
 * Returns the number of failed expects and failed accesses (0: all held). */
unsigned script_run(const struct script *script, struct sim *sim,
		    const struct script_host *host, FILE *out);

#endif
