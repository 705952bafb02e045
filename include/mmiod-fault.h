/* SPDX-License-Identifier: BSD-2-Clause */
/* mmiod-fault.h - the raw-fault protocol of mmiod's fault socket.
 *
 * A program that traps guest MMIO itself (a hypervisor shim, an emulator,
 * a test harness) sends mmiod the raw fault: the guest-physical address,
 * the instruction bytes at RIP, the registers and the CPU mode. mmiod
 * decodes the instruction, serves the access through the guest's regions
 * and devices, and answers with the registers after the instruction (RIP
 * advanced) or an error. The socket is a Unix stream socket named by
 * fault_socket= in the guest's config; each request gets exactly one
 * reply, in order.
 *
 * The records are fixed-size binary structs in the host's byte order:
 * nothing to parse (so nothing in mmiod to get wrong on hostile input),
 * constant cost, and a magic and version to refuse a mismatched peer.
 *
 * String instructions: STOS and LODS are served whole (up to 4096
 * elements and the end of the faulting page; RIP stays on the instruction
 * if elements remain, as the CPU would re-execute it). For MOVS the
 * memory side travels in data[]: a MOVS that writes MMIO (dir = write)
 * takes its source elements from data[0..data_count); one that reads MMIO
 * returns what it read in the reply's data[]. MOVS is served up to
 * MMIOD_FAULT_MAX_DATA elements per fault. A MOVS to MMIO with fewer
 * data[] elements than RCX does those it has and answers OK with RCX,
 * RSI and RDI advanced past them and RIP on the instruction, like any
 * REP that stops early: re-executing it never repeats a device write.
 *
 * Flow control: a client may send several requests before it reads their
 * replies, but once a few replies wait unread mmiod reads nothing more
 * from it until it takes them; a client that neither sends nor reads for
 * a while (30 s in mmiod) is disconnected.
 */
#ifndef MMIOD_FAULT_H
#define MMIOD_FAULT_H

#include <stdint.h>

#define MMIOD_FAULT_MAGIC 0x6d66746cu /* "mftl" */
#define MMIOD_FAULT_VERSION 1
#define MMIOD_FAULT_MAX_DATA 256

/* regs[] order */
enum mmiod_fault_reg {
	MMIOD_RAX, MMIOD_RCX, MMIOD_RDX, MMIOD_RBX, MMIOD_RSP, MMIOD_RBP,
	MMIOD_RSI, MMIOD_RDI, MMIOD_R8, MMIOD_R9, MMIOD_R10, MMIOD_R11,
	MMIOD_R12, MMIOD_R13, MMIOD_R14, MMIOD_R15, MMIOD_RIP, MMIOD_RFLAGS,
	MMIOD_NREGS,
};

struct mmiod_fault_request {
	uint32_t magic;	  /* MMIOD_FAULT_MAGIC */
	uint16_t version; /* MMIOD_FAULT_VERSION */
	uint8_t mode;	  /* 16, 32 or 64 */
	uint8_t dir;	  /* the faulting access: 0 write, 1 read */
	uint64_t gpa;	  /* guest-physical address that faulted */
	uint32_t size;	  /* bytes of the faulting access; 0: unknown */
	uint32_t vcpu;
	uint8_t insn_len; /* 1 to 15 */
	uint8_t insn[15];
	uint64_t regs[MMIOD_NREGS];
	uint32_t data_count; /* MOVS to MMIO: source elements in data[] */
	uint32_t reserved;
	uint64_t data[MMIOD_FAULT_MAX_DATA];
};

enum mmiod_fault_status {
	MMIOD_FAULT_OK = 0,
	MMIOD_FAULT_BAD_RECORD = 1,  /* wrong magic, version or field */
	MMIOD_FAULT_UNSUPPORTED = 2, /* not an instruction mmiod emulates */
	MMIOD_FAULT_MISMATCH = 3,    /* disagrees with the fault */
	MMIOD_FAULT_DEVICE_ERROR = 4, /* the device or guest memory refused */
};

struct mmiod_fault_reply {
	uint32_t magic;
	uint16_t version;
	uint16_t status; /* enum mmiod_fault_status */
	uint64_t regs[MMIOD_NREGS];
	uint32_t data_count; /* MOVS from MMIO: elements read into data[] */
	uint32_t reserved;
	uint64_t data[MMIOD_FAULT_MAX_DATA];
	char error[128]; /* NUL-terminated reason when status != OK, or
			  * why a REP stopped early */
};

#endif
