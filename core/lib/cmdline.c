/*
 * cmdline.c - read "name=value" parameters from the kernel command line.
 *
 * As Linux's next_arg(): words are separated by spaces (and tabs or line
 * breaks), a double quote starts or ends a quoted stretch in which spaces
 * do not separate, and the quotes themselves are not part of the value.
 */
#include <stdbool.h>
#include <stddef.h>

#include "arch.h"
#include "cmdline.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool cmdline_param_in(const char *p, const char *name, char *buf, size_t size)
{
	bool found = false;

	if (!p || size == 0)
		return false;
	for (;;) {
		const char *n = name, *value;
		bool match = true, quoted = false;
		size_t len = 0;

		while (is_space(*p))
			p++;
		if (!*p)
			return found;
		/* The name: up to '=' or the end of the word. */
		for (; *p && *p != '=' && !is_space(*p); p++) {
			if (match && *n == *p)
				n++;
			else
				match = false;
		}
		match = match && *n == '\0' && *p == '=';
		if (*p == '=')
			p++;
		/* The value, walked whether or not the name matched. */
		value = p;
		for (; *p && (quoted || !is_space(*p)); p++) {
			if (*p == '"')
				quoted = !quoted;
			else
				len++;
		}
		if (!match || len >= size)
			continue;
		for (size_t i = 0; value < p; value++)
			if (*value != '"')
				buf[i++] = *value;
		buf[len] = '\0';
		found = true;
	}
}

bool cmdline_param(const char *name, char *buf, size_t size)
{
	return cmdline_param_in(arch_cmdline(), name, buf, size);
}
