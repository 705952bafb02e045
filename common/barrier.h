/* SPDX-License-Identifier: BSD-2-Clause */
/* barrier.h - the memory barriers of the ioreq protocol.
 *
 * Xen and the device model share the ioreq and buffered pages across
 * domains, so these must be real CPU fences with the semantics of Xen's
 * xen-barrier.h, not only compiler barriers. On x86 loads are not
 * reordered with older loads and stores not with older stores, but the
 * explicit fences keep the code correct on weaker CPUs (Arm dom0s) and
 * document every ordering point. Private to ioreq/ and sim/.
 */
#ifndef MMIOD_BARRIER_H
#define MMIOD_BARRIER_H

#if defined(__x86_64__) || defined(__i386__)
#define xen_mb() __asm__ __volatile__("mfence" ::: "memory")
#define xen_rmb() __asm__ __volatile__("lfence" ::: "memory")
#define xen_wmb() __asm__ __volatile__("sfence" ::: "memory")
#else
#define xen_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define xen_rmb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define xen_wmb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#endif

#endif
