/*
 * serial.c - the console: a 16550 UART at COM1 (I/O port 0x3F8).
 *
 * Polled, never interrupt driven: the console must work from the first
 * line of kmain() to the last word of a panic, with interrupts off.
 */
#include <stdint.h>
#include "arch.h"
#include "io.h"
#include "x86.h"

#define COM1 0x3F8
#define UART_THR 0	/* transmit holding register (DLAB = 0) */
#define UART_DLL 0	/* divisor latch, low byte (DLAB = 1) */
#define UART_IER 1	/* interrupt enable (DLAB = 0) */
#define UART_DLM 1	/* divisor latch, high byte (DLAB = 1) */
#define UART_FCR 2	/* FIFO control */
#define UART_LCR 3	/* line control */
#define UART_MCR 4	/* modem control */
#define UART_LSR 5	/* line status */

#define LCR_8N1 0x03
#define LCR_DLAB 0x80
#define FCR_ENABLE_CLEAR 0x07	/* enable FIFOs, clear both */
#define MCR_DTR_RTS 0x03
#define LSR_THR_EMPTY 0x20	/* room for another byte */
#define LSR_TX_IDLE 0x40	/* holding register and shift register empty */

#define UART_CLOCK_HZ 115200	/* input clock / 16 */
#define BAUD 115200

/*
 * Bound on polling loops, so that a missing or wedged UART slows the
 * kernel down instead of hanging it.  Generous: one byte at 115200 baud
 * takes ~87 us, far fewer than this many port reads.
 */
#define UART_POLL_LIMIT 1000000

void serial_init(void)
{
	const uint16_t divisor = UART_CLOCK_HZ / BAUD;

	outb(COM1 + UART_IER, 0x00);	/* polled: no interrupts */
	outb(COM1 + UART_LCR, LCR_DLAB);
	outb(COM1 + UART_DLL, divisor & 0xFF);
	outb(COM1 + UART_DLM, divisor >> 8);
	outb(COM1 + UART_LCR, LCR_8N1);	/* also clears DLAB */
	outb(COM1 + UART_FCR, FCR_ENABLE_CLEAR);
	outb(COM1 + UART_MCR, MCR_DTR_RTS);
}

static void wait_for(uint8_t lsr_bits)
{
	for (unsigned int i = 0; i < UART_POLL_LIMIT; i++) {
		if ((inb(COM1 + UART_LSR) & lsr_bits) == lsr_bits)
			return;
		arch_cpu_relax();
	}
}

/* Bytes go out exactly as given: the host terminal or log decides about "\r". */
void arch_console_putc(char c)
{
	wait_for(LSR_THR_EMPTY);
	outb(COM1 + UART_THR, (uint8_t)c);
}

void serial_drain(void)
{
	wait_for(LSR_THR_EMPTY | LSR_TX_IDLE);
}
