/*
 * sbi.h - calls into the M-mode firmware (OpenSBI) through the RISC-V
 * Supervisor Binary Interface, version 1.0: the extensions the kernel
 * uses to start harts (HSM), program its timer (TIME) and interrupt other
 * harts (IPI).
 *
 * A call is an ecall with the extension id in a7, the function id in a6
 * and arguments in a0..a5; the firmware returns an error code in a0 (0 on
 * success, SBI_ERR_* otherwise) and a value in a1.
 */
#ifndef MMKIT_ARCH_RISCV_SBI_H
#define MMKIT_ARCH_RISCV_SBI_H

#include <stdint.h>

#define SBI_EXT_BASE 0x10
#define SBI_EXT_TIME 0x54494D45         /* "TIME" */
#define SBI_EXT_IPI 0x735049            /* "sPI" */
#define SBI_EXT_HSM 0x48534D            /* "HSM" */

#define SBI_BASE_PROBE_EXTENSION 3
#define SBI_TIME_SET_TIMER 0
#define SBI_IPI_SEND_IPI 0
#define SBI_HSM_HART_START 0
#define SBI_HSM_HART_STOP 1
#define SBI_HSM_HART_GET_STATUS 2

/* hart_get_status() values. */
#define SBI_HSM_STARTED 0
#define SBI_HSM_STOPPED 1
#define SBI_HSM_START_PENDING 2

#define SBI_SUCCESS 0
#define SBI_ERR_ALREADY_AVAILABLE (-6)

struct sbiret {
	long error;
	long value;
};

struct sbiret sbi_call(unsigned long ext, unsigned long fid, unsigned long a0,
		       unsigned long a1, unsigned long a2);

/* Does the firmware implement extension @ext? */
int sbi_probe(unsigned long ext);

#endif /* MMKIT_ARCH_RISCV_SBI_H */
