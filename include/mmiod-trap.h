/* SPDX-License-Identifier: BSD-2-Clause */
/* mmiod-trap.h - run ordinary code against the devices of an mmiod,
 * without a VM: libmmiod-trap maps a window of the guest-physical space
 * that an mmiod serves on its fault socket (fault_socket= in its config).
 *
 * The window is inaccessible memory: every load and store through it
 * raises SIGSEGV on the accessing thread. The library's handler sends the
 * raw fault (the address, the instruction bytes at RIP, the registers; see
 * mmiod-fault.h) to mmiod, which decodes the instruction, serves it
 * through its regions and devices and returns the registers after it; the
 * handler puts them into the interrupted context and the code carries on
 * after the instruction as if the device had answered.
 *
 * Inside a window use plain integer loads and stores of 1, 2, 4 or 8
 * bytes: what mmiod-decode accepts (MOV, MOVZX/MOVSX/MOVSXD, the ALU
 * read-modify-write forms, XCHG, BT*, TEST, CMP, MOVNTI, MOVBE, and
 * MOVS/STOS/LODS between a window and ordinary memory). Access it through
 * volatile pointers. Never use memcpy, memset, strcpy or structure copies
 * on a window: they may be vector moves (MOVDQU, VMOVDQA, ...), which
 * mmiod refuses. A refused instruction, or an mmiod that went away, ends
 * the process with a message on stderr naming the instruction bytes and
 * the reason, then abort(): a device access that cannot be completed has
 * no result the code could carry on with.
 *
 * Signals: the library installs a SIGSEGV handler (SA_SIGINFO) when the
 * first window is mapped and keeps the handler it replaced. A fault
 * outside every window goes to that previous handler, or, if there was
 * none, kills the process with the default action (so real crashes still
 * dump core). Don't replace the SIGSEGV handler while windows are in use.
 * The handler runs on the faulting thread and only calls async-signal-safe
 * functions; windows may be used from a signal handler too.
 *
 * Threads: any thread may access any window at once; each fault takes one
 * of a few connections to mmiod (created on first need) without a lock.
 * mmiod_trap_map and mmiod_trap_unmap may be called from any thread but
 * not from a signal handler; a window must not be unmapped while another
 * thread still accesses it.
 */
#ifndef MMIOD_TRAP_H
#define MMIOD_TRAP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Maps size bytes of guest-physical space from gpa (page-aligned) of the
 * mmiod listening at socket_path. The window's byte i is gpa + i. Returns
 * the window, or NULL with errno set: EINVAL (gpa not page-aligned, size
 * 0, path too long), ENOSPC (too many windows or sockets), or why the
 * socket could not be connected. */
void *mmiod_trap_map(const char *socket_path, uint64_t gpa, size_t size);

/* Unmaps a window returned by mmiod_trap_map. 0, or -1 with errno EINVAL
 * if window is not one. */
int mmiod_trap_unmap(void *window);

#ifdef __cplusplus
}
#endif

#endif
