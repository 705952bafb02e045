/* SPDX-License-Identifier: BSD-2-Clause */
/* trap_corpus_asm.c - the differential test's hand-written accessors: one
 * or a few instructions of every family mmiod emulates, in every operand
 * size, with AH..BH, SPL..DIL and R8..R15, and the addressing forms
 * (base, index * scale with a negative index, disp8, disp32, RIP-relative
 * into the window). Each runs copied to the end of a code page that
 * precedes the memory, so a RIP-relative operand `[rip + NAME_end + D]`
 * reaches memory offset D. Registers on entry (trap_cpu.h setups): rbx =
 * MEM + 0x800, r13 = MEM + 0x1800, rcx = 3, r9 = -2, r12 = 77; strings
 * start at MEM + 0xf00 and RAM + 0x1000. */
#include "trap_cpu.h"

#define P SETUP_PLAIN
#define TO SETUP_STR_TO_MEM
#define FROM SETUP_STR_FROM_MEM
#define NOAF (CPU_ALL & ~CPU_AF)
/* BT*: CF is the bit, ZF is kept, OF SF AF PF are undefined. */
#define BITS (CPU_CF | CPU_ZF | CPU_DF)

/* X(name, setup, flags defined, DF, needs MOVBE, rcx (0: default), text) */
#define ALU(X, op, fl)                                                       \
	X(op##_m8_al, P, fl, 0, 0, 0, #op " byte ptr [rbx], al")             \
	X(op##_m8_ah, P, fl, 0, 0, 0, #op " byte ptr [rbx + 1], ah")         \
	X(op##_m8_sil, P, fl, 0, 0, 0, #op " byte ptr [rbx], sil")           \
	X(op##_m16_r9w, P, fl, 0, 0, 0, #op " word ptr [rbx + 2], r9w")      \
	X(op##_m32_edx, P, fl, 0, 0, 0, #op " dword ptr [rbx + rcx*4], edx") \
	X(op##_m64_r11, P, fl, 0, 0, 0, #op " qword ptr [r13 + 0x400], r11") \
	X(op##_ch_m8, P, fl, 0, 0, 0, #op " ch, byte ptr [rbx + 5]")         \
	X(op##_r10b_m8, P, fl, 0, 0, 0, #op " r10b, byte ptr [rbx]")         \
	X(op##_ax_m16, P, fl, 0, 0, 0, #op " ax, word ptr [rbx + r9*2]")     \
	X(op##_esi_m32, P, fl, 0, 0, 0, #op " esi, dword ptr [rbx]")         \
	X(op##_r14_m64, P, fl, 0, 0, 0, #op " r14, qword ptr [rbx + 8]")     \
	X(op##_m8_i8, P, fl, 0, 0, 0, #op " byte ptr [rbx], 0x81")           \
	X(op##_m16_i16, P, fl, 0, 0, 0, #op " word ptr [rbx], 0x8001")       \
	X(op##_m16_i8, P, fl, 0, 0, 0, #op " word ptr [rbx], -3")            \
	X(op##_m32_i32, P, fl, 0, 0, 0, #op " dword ptr [rbx], 0x12345678")  \
	X(op##_m64_i32, P, fl, 0, 0, 0, #op " qword ptr [rbx], -0x12345678") \
	X(op##_m64_i8, P, fl, 0, 0, 0, #op " qword ptr [rbx], 0x7f")         \
	X(op##_rip_i8, P, fl, 0, 0, 0,                                       \
	  #op " dword ptr [rip + " #op "_rip_i8_end + 0x40], 1")

#define UNARY(X, op, fl)                                                 \
	X(op##_m8, P, fl, 0, 0, 0, #op " byte ptr [rbx]")                \
	X(op##_m16, P, fl, 0, 0, 0, #op " word ptr [rbx + r9*8 + 0x20]") \
	X(op##_m32, P, fl, 0, 0, 0, #op " dword ptr [r13]")              \
	X(op##_m64, P, fl, 0, 0, 0, #op " qword ptr [rbx + 0x100]")

#define BT(X, op)                                                        \
	X(op##_m16_i, P, BITS, 0, 0, 0, #op " word ptr [rbx], 3")        \
	X(op##_m32_i, P, BITS, 0, 0, 0, #op " dword ptr [rbx], 31")      \
	X(op##_m64_i, P, BITS, 0, 0, 0, #op " qword ptr [rbx], 0x45")    \
	X(op##_m32_ecx, P, BITS, 0, 0, 0, #op " dword ptr [rbx], ecx")   \
	X(op##_m64_r12, P, BITS, 0, 0, 0, #op " qword ptr [rbx], r12")   \
	X(op##_m32_r12d, P, BITS, 0, 0, 0, #op " dword ptr [rbx], r12d") \
	X(op##_m16_r12w, P, BITS, 0, 0, 0, #op " word ptr [rbx], r12w")  \
	X(op##_m32_r9d, P, BITS, 0, 0, 0, #op " dword ptr [rbx], r9d")

#define STRING(X, op, setup)                                                   \
	X(op##b_##setup, setup, CPU_ALL, 0, 0, 0, #op "b")                     \
	X(op##w_##setup, setup, CPU_ALL, 0, 0, 0, #op "w")                     \
	X(op##d_##setup, setup, CPU_ALL, 0, 0, 0, #op "d")                     \
	X(op##q_##setup, setup, CPU_ALL, 0, 0, 0, #op "q")                     \
	X(op##q_down_##setup, setup, CPU_ALL, 1, 0, 0, #op "q")                \
	X(rep_##op##b_##setup, setup, CPU_ALL, 0, 0, 0, "rep " #op "b")        \
	X(rep_##op##w_down_##setup, setup, CPU_ALL, 1, 0, 0, "rep " #op "w")   \
	X(rep_##op##d_##setup, setup, CPU_ALL, 0, 0, 0, "rep " #op "d")        \
	X(rep_##op##q_long_##setup, setup, CPU_ALL, 0, 0, 300, "rep " #op "q") \
	X(rep_##op##d_long_down_##setup, setup, CPU_ALL, 1, 0, 300,            \
	  "rep " #op "d")                                                      \
	X(rep_##op##b_one_##setup, setup, CPU_ALL, 0, 0, 1, "rep " #op "b")

#define CORPUS(X)                                                              \
	X(mov_m8_al, P, CPU_ALL, 0, 0, 0, "mov byte ptr [rbx], al")            \
	X(mov_m8_ah, P, CPU_ALL, 0, 0, 0, "mov byte ptr [rbx + 1], ah")        \
	X(mov_m8_spl, P, CPU_ALL, 0, 0, 0, "mov byte ptr [rbx + 2], spl")      \
	X(mov_m8_dil, P, CPU_ALL, 0, 0, 0, "mov byte ptr [rbx + 3], dil")      \
	X(mov_m8_r15b, P, CPU_ALL, 0, 0, 0, "mov byte ptr [r13 - 1], r15b")    \
	X(mov_m16_cx, P, CPU_ALL, 0, 0, 0, "mov word ptr [rbx + 1], cx")       \
	X(mov_m16_r8w, P, CPU_ALL, 0, 0, 0, "mov word ptr [r13 + r9*2], r8w")  \
	X(mov_m32_edx, P, CPU_ALL, 0, 0, 0, "mov dword ptr [rbx + 4], edx")    \
	X(mov_m32_r10d, P, CPU_ALL, 0, 0, 0,                                   \
	  "mov dword ptr [rbx + rcx*8 + 0x300], r10d")                         \
	X(mov_m64_rsi, P, CPU_ALL, 0, 0, 0, "mov qword ptr [rbx + 7], rsi")    \
	X(mov_m64_rbp, P, CPU_ALL, 0, 0, 0, "mov qword ptr [rbx], rbp")        \
	X(mov_m64_r11, P, CPU_ALL, 0, 0, 0, "mov qword ptr [rbx + r9*4], r11") \
	X(mov_al_m8, P, CPU_ALL, 0, 0, 0, "mov al, byte ptr [rbx]")            \
	X(mov_ah_m8, P, CPU_ALL, 0, 0, 0, "mov ah, byte ptr [rbx + 1]")        \
	X(mov_dh_m8, P, CPU_ALL, 0, 0, 0, "mov dh, byte ptr [rbx + 2]")        \
	X(mov_bpl_m8, P, CPU_ALL, 0, 0, 0, "mov bpl, byte ptr [rbx + 3]")      \
	X(mov_sil_m8, P, CPU_ALL, 0, 0, 0, "mov sil, byte ptr [rbx + 3]")      \
	X(mov_r14b_m8, P, CPU_ALL, 0, 0, 0, "mov r14b, byte ptr [r13]")        \
	X(mov_cx_m16, P, CPU_ALL, 0, 0, 0, "mov cx, word ptr [rbx + 9]")       \
	X(mov_r8w_m16, P, CPU_ALL, 0, 0, 0, "mov r8w, word ptr [rbx]")         \
	X(mov_edx_m32, P, CPU_ALL, 0, 0, 0,                                    \
	  "mov edx, dword ptr [rbx + rcx*2]")                                  \
	X(mov_r15d_m32, P, CPU_ALL, 0, 0, 0,                                   \
	  "mov r15d, dword ptr [r13 + 0x7f]")                                  \
	X(mov_rbp_m64, P, CPU_ALL, 0, 0, 0, "mov rbp, qword ptr [rbx + 0x80]") \
	X(mov_r12_m64, P, CPU_ALL, 0, 0, 0, "mov r12, qword ptr [rbx - 0x80]") \
	X(mov_rax_rip, P, CPU_ALL, 0, 0, 0,                                    \
	  "mov rax, qword ptr [rip + mov_rax_rip_end + 0x18]")                 \
	X(mov_rip_ecx, P, CPU_ALL, 0, 0, 0,                                    \
	  "mov dword ptr [rip + mov_rip_ecx_end + 0x1004], ecx")               \
	X(mov_rip_i8, P, CPU_ALL, 0, 0, 0,                                     \
	  "mov byte ptr [rip + mov_rip_i8_end + 0x22], 0x99")                  \
	X(mov_m8_i8, P, CPU_ALL, 0, 0, 0, "mov byte ptr [rbx], 0x80")          \
	X(mov_m16_i16, P, CPU_ALL, 0, 0, 0, "mov word ptr [rbx], 0x8001")      \
	X(mov_m32_i32, P, CPU_ALL, 0, 0, 0, "mov dword ptr [rbx], 0x80000001") \
	X(mov_m64_i32, P, CPU_ALL, 0, 0, 0, "mov qword ptr [rbx], -2")         \
	X(mov_m64_i32_pos, P, CPU_ALL, 0, 0, 0,                                \
	  "mov qword ptr [r13 + 0x1000], 0x7fffffff")                          \
	X(movzx_eax_m8, P, CPU_ALL, 0, 0, 0, "movzx eax, byte ptr [rbx]")      \
	X(movzx_cx_m8, P, CPU_ALL, 0, 0, 0, "movzx cx, byte ptr [rbx + 1]")    \
	X(movzx_r8_m8, P, CPU_ALL, 0, 0, 0, "movzx r8, byte ptr [rbx]")        \
	X(movzx_edx_m16, P, CPU_ALL, 0, 0, 0, "movzx edx, word ptr [rbx + 6]") \
	X(movzx_r11_m16, P, CPU_ALL, 0, 0, 0, "movzx r11, word ptr [r13]")     \
	X(movsx_eax_m8, P, CPU_ALL, 0, 0, 0, "movsx eax, byte ptr [rbx]")      \
	X(movsx_r9w_m8, P, CPU_ALL, 0, 0, 0, "movsx r9w, byte ptr [rbx + 1]")  \
	X(movsx_rdx_m8, P, CPU_ALL, 0, 0, 0, "movsx rdx, byte ptr [rbx + 2]")  \
	X(movsx_esi_m16, P, CPU_ALL, 0, 0, 0, "movsx esi, word ptr [rbx]")     \
	X(movsx_r10_m16, P, CPU_ALL, 0, 0, 0, "movsx r10, word ptr [rbx + 4]") \
	X(movsxd_rax_m32, P, CPU_ALL, 0, 0, 0, "movsxd rax, dword ptr [rbx]")  \
	X(movsxd_r15_m32, P, CPU_ALL, 0, 0, 0,                                 \
	  "movsxd r15, dword ptr [r13 + 0x10]")                                \
	ALU(X, add, CPU_ALL)                                                   \
	ALU(X, or, NOAF)                                                       \
	ALU(X, adc, CPU_ALL)                                                   \
	ALU(X, sbb, CPU_ALL)                                                   \
	ALU(X, and, NOAF)                                                      \
	ALU(X, sub, CPU_ALL)                                                   \
	ALU(X, xor, NOAF)                                                      \
	ALU(X, cmp, CPU_ALL)                                                   \
	X(lock_add_m32, P, CPU_ALL, 0, 0, 0, "lock add dword ptr [rbx], eax")  \
	X(lock_or_m8_i8, P, NOAF, 0, 0, 0, "lock or byte ptr [rbx], 0x40")     \
	X(test_m8_al, P, NOAF, 0, 0, 0, "test byte ptr [rbx], al")             \
	X(test_m8_dh, P, NOAF, 0, 0, 0, "test byte ptr [rbx], dh")             \
	X(test_m16_i16, P, NOAF, 0, 0, 0, "test word ptr [rbx], 0x8000")       \
	X(test_m32_r8d, P, NOAF, 0, 0, 0, "test dword ptr [rbx], r8d")         \
	X(test_m64_i32, P, NOAF, 0, 0, 0, "test qword ptr [rbx], -1")          \
	X(test_m64_rcx, P, NOAF, 0, 0, 0, "test qword ptr [r13], rcx")         \
	UNARY(X, inc, CPU_ALL)                                                 \
	UNARY(X, dec, CPU_ALL)                                                 \
	UNARY(X, not, CPU_ALL)                                                 \
	UNARY(X, neg, CPU_ALL)                                                 \
	X(lock_inc_m32, P, CPU_ALL, 0, 0, 0, "lock inc dword ptr [rbx]")       \
	X(xchg_m8_al, P, CPU_ALL, 0, 0, 0, "xchg byte ptr [rbx], al")          \
	X(xchg_m8_ch, P, CPU_ALL, 0, 0, 0, "xchg byte ptr [rbx + 1], ch")      \
	X(xchg_m8_r9b, P, CPU_ALL, 0, 0, 0, "xchg byte ptr [rbx], r9b")        \
	X(xchg_m16_dx, P, CPU_ALL, 0, 0, 0, "xchg word ptr [rbx], dx")         \
	X(xchg_m32_r11d, P, CPU_ALL, 0, 0, 0, "xchg dword ptr [rbx], r11d")    \
	X(xchg_m64_rsi, P, CPU_ALL, 0, 0, 0, "xchg qword ptr [r13], rsi")      \
	X(xchg_rax_m64, P, CPU_ALL, 0, 0, 0, "xchg rax, qword ptr [rbx]")      \
	X(lock_xchg_m32, P, CPU_ALL, 0, 0, 0,                                  \
	  "lock xchg dword ptr [rbx], edi")                                    \
	BT(X, bt)                                                              \
	BT(X, bts)                                                             \
	BT(X, btr)                                                             \
	BT(X, btc)                                                             \
	X(movnti_m32, P, CPU_ALL, 0, 0, 0, "movnti dword ptr [rbx], eax")      \
	X(movnti_m64, P, CPU_ALL, 0, 0, 0, "movnti qword ptr [r13 + 8], r14")  \
	X(movbe_eax_m32, P, CPU_ALL, 0, 1, 0, "movbe eax, dword ptr [rbx]")    \
	X(movbe_r9w_m16, P, CPU_ALL, 0, 1, 0, "movbe r9w, word ptr [rbx]")     \
	X(movbe_rdx_m64, P, CPU_ALL, 0, 1, 0, "movbe rdx, qword ptr [rbx]")    \
	X(movbe_m16_cx, P, CPU_ALL, 0, 1, 0, "movbe word ptr [rbx], cx")       \
	X(movbe_m32_r10d, P, CPU_ALL, 0, 1, 0, "movbe dword ptr [rbx], r10d")  \
	X(movbe_m64_rsi, P, CPU_ALL, 0, 1, 0, "movbe qword ptr [rbx], rsi")    \
	STRING(X, movs, TO)                                                    \
	STRING(X, movs, FROM)                                                  \
	STRING(X, stos, TO)                                                    \
	STRING(X, lods, FROM)

#define ASM(name, setup, fl, down, movbe, rcx, text)                           \
	".globl " #name "\n.hidden " #name "\n" #name ":\n\t" text "\n\tret\n" \
	".globl " #name "_end\n.hidden " #name "_end\n" #name "_end:\n"

__asm__(".intel_syntax noprefix\n.text\n" CORPUS(ASM) ".att_syntax prefix\n");

#define DECL(name, setup, fl, down, movbe, rcx, text) \
	extern const uint8_t name[], name##_end[];
CORPUS(DECL)

#define ENTRY(name, setup, fl, down, movbe, rcx, text) \
	{#name, name, name##_end, NULL, setup, fl, down, movbe, rcx},

const struct accessor trap_asm_corpus[] = {CORPUS(ENTRY)};
const size_t trap_asm_corpus_len =
	sizeof(trap_asm_corpus) / sizeof(trap_asm_corpus[0]);
