/* SPDX-License-Identifier: BSD-2-Clause */
/* head.S - entry points of the PVH test guest.
 *
 * Xen starts a PVH guest at the address in its XEN_ELFNOTE_PHYS32_ENTRY
 * note: 32-bit protected mode, paging off, flat segments, %ebx holding the
 * physical address of struct hvm_start_info. Secondary vCPUs start at
 * ap_entry with the registers the boot vCPU gave VCPUOP_initialise.
 */
#define XEN_ELFNOTE_PHYS32_ENTRY 18

	.section .note.Xen, "a"
	.balign 4
	.long 4, 4, XEN_ELFNOTE_PHYS32_ENTRY
	.asciz "Xen"
	.long pvh_entry

	.text
	.code32
	.globl pvh_entry
pvh_entry:
	cli
	cld
	movl $boot_stack_top, %esp
	call load_flat_segments
	pushl %ebx
	call guest_main
	jmp halt_forever

/* %eax: this vCPU's id, %esp: its stack (set by the boot vCPU). */
	.globl ap_entry
ap_entry:
	cli
	cld
	call load_flat_segments
	pushl %eax
	call ap_main
	jmp halt_forever

/* Interrupt handlers of the copy test: its MSI vector counts and ends
 * the interrupt at the local APIC (EOI); any other vector only counts. */
	.globl msi_stub
msi_stub:
	incl msi_count
	movl $0, 0xfee000b0
	iret
	.globl stray_stub
stray_stub:
	incl stray_count
	iret

/* Halting with interrupts off takes the vCPU down; when every vCPU is
 * down Xen shuts the domain down (the xl config keeps it). */
	.globl halt_forever
halt_forever:
	cli
	hlt
	jmp halt_forever

load_flat_segments:
	lgdt gdt_descriptor
	ljmp $0x08, $1f
1:	movl $0x10, %ecx
	movl %ecx, %ds
	movl %ecx, %es
	movl %ecx, %ss
	movl %ecx, %fs
	movl %ecx, %gs
	ret

	.section .rodata
	.balign 8
gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* 0x08: flat 32-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: flat data */
gdt_end:
gdt_descriptor:
	.word gdt_end - gdt - 1
	.long gdt

	.bss
	.balign 16
	.skip 16384
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
