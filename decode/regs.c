/* SPDX-License-Identifier: BSD-2-Clause */
/* regs.c - register operands: Capstone's ids, our register file's
 * slots, widths and names. How a result is written back (merge,
 * zero-extend, AH..BH) is emulate.c's. */
#include <string.h>

#include "decode_internal.h"

struct reg_map {
	unsigned cs;
	int reg;
	unsigned size;
	bool high8;
};

static const struct reg_map reg_map[] = {
	{X86_REG_AL, REG_RAX, 1, false},   {X86_REG_CL, REG_RCX, 1, false},
	{X86_REG_DL, REG_RDX, 1, false},   {X86_REG_BL, REG_RBX, 1, false},
	{X86_REG_AH, REG_RAX, 1, true},	   {X86_REG_CH, REG_RCX, 1, true},
	{X86_REG_DH, REG_RDX, 1, true},	   {X86_REG_BH, REG_RBX, 1, true},
	{X86_REG_SPL, REG_RSP, 1, false},  {X86_REG_BPL, REG_RBP, 1, false},
	{X86_REG_SIL, REG_RSI, 1, false},  {X86_REG_DIL, REG_RDI, 1, false},
	{X86_REG_R8B, REG_R8, 1, false},   {X86_REG_R9B, REG_R9, 1, false},
	{X86_REG_R10B, REG_R10, 1, false}, {X86_REG_R11B, REG_R11, 1, false},
	{X86_REG_R12B, REG_R12, 1, false}, {X86_REG_R13B, REG_R13, 1, false},
	{X86_REG_R14B, REG_R14, 1, false}, {X86_REG_R15B, REG_R15, 1, false},
	{X86_REG_AX, REG_RAX, 2, false},   {X86_REG_CX, REG_RCX, 2, false},
	{X86_REG_DX, REG_RDX, 2, false},   {X86_REG_BX, REG_RBX, 2, false},
	{X86_REG_SP, REG_RSP, 2, false},   {X86_REG_BP, REG_RBP, 2, false},
	{X86_REG_SI, REG_RSI, 2, false},   {X86_REG_DI, REG_RDI, 2, false},
	{X86_REG_R8W, REG_R8, 2, false},   {X86_REG_R9W, REG_R9, 2, false},
	{X86_REG_R10W, REG_R10, 2, false}, {X86_REG_R11W, REG_R11, 2, false},
	{X86_REG_R12W, REG_R12, 2, false}, {X86_REG_R13W, REG_R13, 2, false},
	{X86_REG_R14W, REG_R14, 2, false}, {X86_REG_R15W, REG_R15, 2, false},
	{X86_REG_EAX, REG_RAX, 4, false},  {X86_REG_ECX, REG_RCX, 4, false},
	{X86_REG_EDX, REG_RDX, 4, false},  {X86_REG_EBX, REG_RBX, 4, false},
	{X86_REG_ESP, REG_RSP, 4, false},  {X86_REG_EBP, REG_RBP, 4, false},
	{X86_REG_ESI, REG_RSI, 4, false},  {X86_REG_EDI, REG_RDI, 4, false},
	{X86_REG_R8D, REG_R8, 4, false},   {X86_REG_R9D, REG_R9, 4, false},
	{X86_REG_R10D, REG_R10, 4, false}, {X86_REG_R11D, REG_R11, 4, false},
	{X86_REG_R12D, REG_R12, 4, false}, {X86_REG_R13D, REG_R13, 4, false},
	{X86_REG_R14D, REG_R14, 4, false}, {X86_REG_R15D, REG_R15, 4, false},
	{X86_REG_RAX, REG_RAX, 8, false},  {X86_REG_RCX, REG_RCX, 8, false},
	{X86_REG_RDX, REG_RDX, 8, false},  {X86_REG_RBX, REG_RBX, 8, false},
	{X86_REG_RSP, REG_RSP, 8, false},  {X86_REG_RBP, REG_RBP, 8, false},
	{X86_REG_RSI, REG_RSI, 8, false},  {X86_REG_RDI, REG_RDI, 8, false},
	{X86_REG_R8, REG_R8, 8, false},	   {X86_REG_R9, REG_R9, 8, false},
	{X86_REG_R10, REG_R10, 8, false},  {X86_REG_R11, REG_R11, 8, false},
	{X86_REG_R12, REG_R12, 8, false},  {X86_REG_R13, REG_R13, 8, false},
	{X86_REG_R14, REG_R14, 8, false},  {X86_REG_R15, REG_R15, 8, false},
};

int reg_operand_of(unsigned cs_reg, struct reg_operand *out)
{
	for (size_t i = 0; i < sizeof(reg_map) / sizeof(reg_map[0]); i++) {
		if (reg_map[i].cs != cs_reg)
			continue;
		out->reg = reg_map[i].reg;
		out->size = reg_map[i].size;
		out->high8 = reg_map[i].high8;
		return 0;
	}
	return -1; /* segment, control, vector registers: not ours */
}

static const char *const names[REG_COUNT] = {
	"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8",
	"r9",  "r10", "r11", "r12", "r13", "r14", "r15", "rip", "rflags",
};

const char *reg_name(enum reg r)
{
	return r < REG_COUNT ? names[r] : "?";
}

int reg_by_name(const char *name)
{
	for (int r = 0; r < REG_COUNT; r++)
		if (strcmp(names[r], name) == 0)
			return r;
	return -1;
}

const char *reg_operand_name(const struct reg_operand *op)
{
	static const char *const high8[] = {"ah", "ch", "dh", "bh"};
	static const char *const sized[][4] = {
		{"al", "ax", "eax", "rax"},
		{"cl", "cx", "ecx", "rcx"},
		{"dl", "dx", "edx", "rdx"},
		{"bl", "bx", "ebx", "rbx"},
		{"spl", "sp", "esp", "rsp"},
		{"bpl", "bp", "ebp", "rbp"},
		{"sil", "si", "esi", "rsi"},
		{"dil", "di", "edi", "rdi"},
		{"r8b", "r8w", "r8d", "r8"},
		{"r9b", "r9w", "r9d", "r9"},
		{"r10b", "r10w", "r10d", "r10"},
		{"r11b", "r11w", "r11d", "r11"},
		{"r12b", "r12w", "r12d", "r12"},
		{"r13b", "r13w", "r13d", "r13"},
		{"r14b", "r14w", "r14d", "r14"},
		{"r15b", "r15w", "r15d", "r15"},
	};
	unsigned width = op->size == 1	 ? 0
			 : op->size == 2 ? 1
			 : op->size == 4 ? 2
					 : 3;

	if (op->reg < 0 || op->reg > REG_R15)
		return "";
	if (op->high8 && op->reg <= REG_RBX)
		return high8[op->reg];
	return sized[op->reg][width];
}
