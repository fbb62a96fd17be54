/*
 * uart.c - console output on the NS16550A UART of QEMU's virt board.
 *
 * Output only and polled: the kernel never takes an interrupt for the
 * console, and polling keeps printk() usable from a trap or a panic.
 */
#include <stdint.h>

#include "arch.h"
#include "riscv.h"

/* Register offsets (reg-shift 0 on this board). */
#define UART_THR 0      /* transmit holding (write, DLAB = 0) */
#define UART_DLL 0      /* divisor latch low (DLAB = 1) */
#define UART_IER 1      /* interrupt enable (DLAB = 0) */
#define UART_DLM 1      /* divisor latch high (DLAB = 1) */
#define UART_FCR 2      /* FIFO control (write) */
#define UART_LCR 3      /* line control */
#define UART_MCR 4      /* modem control */
#define UART_LSR 5      /* line status */

#define LCR_8N1 0x03
#define LCR_DLAB 0x80
#define FCR_ENABLE_CLEAR 0x07   /* enable FIFOs, clear both */
#define MCR_DTR_RTS 0x03
#define LSR_THRE 0x20           /* transmit holding register empty */
#define LSR_TEMT 0x40           /* transmitter completely idle */

/* 1.8432 MHz reference / (16 * 3) = 38400 baud.  QEMU ignores the rate;
 * it is set so the line is in a known state on anything that does not. */
#define UART_DIVISOR 3

static volatile uint8_t *const uart = (volatile uint8_t *)RISCV_UART0_BASE;

void riscv_uart_init(void)
{
	uart[UART_IER] = 0;
	uart[UART_LCR] = LCR_DLAB;
	uart[UART_DLL] = UART_DIVISOR & 0xff;
	uart[UART_DLM] = UART_DIVISOR >> 8;
	uart[UART_LCR] = LCR_8N1;
	uart[UART_FCR] = FCR_ENABLE_CLEAR;
	uart[UART_MCR] = MCR_DTR_RTS;
}

/* Bytes go out as they are: the host terminal handles a bare '\n'. */
void arch_console_putc(char c)
{
	while (!(uart[UART_LSR] & LSR_THRE))
		;
	uart[UART_THR] = (uint8_t)c;
}

/* Wait until the last byte has left, so that powering off cannot cut the
 * final line (the end-of-run marker) short. */
void riscv_uart_flush(void)
{
	while (!(uart[UART_LSR] & LSR_TEMT))
		;
}
