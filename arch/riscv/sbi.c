/*
 * sbi.c - the ecall into OpenSBI (sbi.h).
 */
#include "sbi.h"

struct sbiret sbi_call(unsigned long ext, unsigned long fid, unsigned long a0,
		       unsigned long a1, unsigned long a2)
{
	register unsigned long r_a0 __asm__("a0") = a0;
	register unsigned long r_a1 __asm__("a1") = a1;
	register unsigned long r_a2 __asm__("a2") = a2;
	register unsigned long r_a6 __asm__("a6") = fid;
	register unsigned long r_a7 __asm__("a7") = ext;

	/*
	 * "memory": the firmware may read what we wrote (an IPI's reason,
	 * a hart's boot block) and the compiler must not sink stores past
	 * the call.
	 */
	__asm__ volatile("ecall"
			 : "+r"(r_a0), "+r"(r_a1)
			 : "r"(r_a2), "r"(r_a6), "r"(r_a7)
			 : "memory");
	return (struct sbiret){ (long)r_a0, (long)r_a1 };
}

int sbi_probe(unsigned long ext)
{
	struct sbiret ret = sbi_call(SBI_EXT_BASE, SBI_BASE_PROBE_EXTENSION, ext, 0, 0);

	return ret.error == SBI_SUCCESS && ret.value != 0;
}
